package dev.keep.enclave.bitcoin.taproot;

import dev.keep.enclave.bitcoin.sighash.SighashType;
import dev.keep.enclave.signing.SchnorrSignature;

/**
 * A BIP-340 signature with the BIP-341 hash type it was made for, as a key-path witness carries
 * it (BIP-341 §Common signature message): 64 bytes for SIGHASH_DEFAULT, otherwise 65 with the
 * hash type appended.
 */
public record TaprootSignature(SchnorrSignature signature, SighashType type) {
  public TaprootSignature {
    if (signature == null || type == null) {
      throw new IllegalArgumentException("signature and hash type are required");
    }
    if (!type.isValidForTaproot()) {
      throw new IllegalArgumentException("hash type: " + type + " is not defined by BIP-341");
    }
  }

  /** The witness element: {@code sig} for SIGHASH_DEFAULT, {@code sig || hash_type} otherwise. */
  public byte[] toWitnessBytes() {
    byte[] sig = signature.toBytes();
    if (type.isDefault()) {
      return sig;
    }
    byte[] out = new byte[SchnorrSignature.LENGTH + 1];
    System.arraycopy(sig, 0, out, 0, SchnorrSignature.LENGTH);
    out[SchnorrSignature.LENGTH] = (byte) type.value();
    return out;
  }
}
