package dev.keep.enclave.signing;

import dev.keep.schema.encoding.Hex;
import java.util.Arrays;

/** A 64-byte BIP-340 signature (R.x || s). */
public final class SchnorrSignature {
  public static final int LENGTH = 64;
  private final byte[] bytes;

  private SchnorrSignature(byte[] bytes) {
    this.bytes = bytes;
  }

  public static SchnorrSignature of(byte[] bytes) {
    if (bytes == null || bytes.length != LENGTH) {
      throw new IllegalArgumentException("BIP-340 signature must be " + LENGTH + " bytes");
    }
    return new SchnorrSignature(bytes.clone());
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  public String toHex() {
    return Hex.encode(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SchnorrSignature other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
