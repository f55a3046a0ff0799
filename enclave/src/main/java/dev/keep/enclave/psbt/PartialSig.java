package dev.keep.enclave.psbt;

import dev.keep.enclave.keys.PublicKey;
import dev.keep.schema.encoding.Hex;
import java.util.Arrays;
import java.util.Optional;

/**
 * A PSBT_IN_PARTIAL_SIG entry (BIP-174): the public key as the PSBT carries it (33 bytes compressed
 * or 65 uncompressed, a valid point either way) and the DER ECDSA signature followed by its sighash
 * type byte.
 */
public record PartialSig(byte[] publicKey, byte[] signature) {
  public PartialSig {
    if (publicKey == null || (publicKey.length != 33 && publicKey.length != 65)) {
      throw new IllegalArgumentException("partial signature key must be 33 or 65 bytes");
    }
    if (signature == null) {
      throw new IllegalArgumentException("partial signature is required");
    }
    publicKey = publicKey.clone();
    signature = signature.clone();
  }

  @Override
  public byte[] publicKey() {
    return publicKey.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** The key as a {@link PublicKey} when the PSBT carries it compressed. */
  public Optional<PublicKey> compressedKey() {
    return publicKey.length == PublicKey.LENGTH
        ? Optional.of(PublicKey.ofCompressed(publicKey))
        : Optional.empty();
  }

  /** The last byte of the signature: the sighash type it commits to. */
  public int sighashType() {
    return signature[signature.length - 1] & 0xff;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PartialSig other
        && Arrays.equals(publicKey, other.publicKey)
        && Arrays.equals(signature, other.signature);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(publicKey) * 31 + Arrays.hashCode(signature);
  }

  @Override
  public String toString() {
    return "PartialSig[" + Hex.encode(publicKey) + ", " + Hex.encode(signature) + "]";
  }
}
