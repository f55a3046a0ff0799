package dev.keep.enclave.signing;

import dev.keep.schema.encoding.Hex;
import java.util.Arrays;

/**
 * An ECDSA secp256k1 signature: compact {@code r || s} (64 bytes, s in the lower half of the
 * order, BIP-62 "low S") and the recovery id (0..3) that lets a verifier recover the public key
 * from the signature and the digest.
 */
public final class EcdsaSignature {
  public static final int COMPACT_LENGTH = 64;

  private final byte[] compact;
  private final byte[] der;
  private final int recoveryId;

  private EcdsaSignature(byte[] compact, byte[] der, int recoveryId) {
    this.compact = compact;
    this.der = der;
    this.recoveryId = recoveryId;
  }

  static EcdsaSignature of(byte[] compact, byte[] der, int recoveryId) {
    if (compact.length != COMPACT_LENGTH) {
      throw new IllegalArgumentException("compact ECDSA signature must be 64 bytes");
    }
    if (recoveryId < 0 || recoveryId > 3) {
      throw new IllegalArgumentException("recovery id must be 0..3");
    }
    return new EcdsaSignature(compact.clone(), der.clone(), recoveryId);
  }

  public byte[] compact() {
    return compact.clone();
  }

  /** Strict DER (BIP-66), as Bitcoin scripts and most ECDSA libraries expect. */
  public byte[] der() {
    return der.clone();
  }

  public int recoveryId() {
    return recoveryId;
  }

  public String compactHex() {
    return Hex.encode(compact);
  }

  public String derHex() {
    return Hex.encode(der);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EcdsaSignature other
        && Arrays.equals(compact, other.compact)
        && recoveryId == other.recoveryId;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(compact) * 31 + recoveryId;
  }

  @Override
  public String toString() {
    return compactHex() + "/" + recoveryId;
  }
}
