package dev.keep.enclave.signing;

import dev.keep.schema.encoding.Hex;
import java.util.Arrays;

/**
 * The 32 bytes a BIP-340 signature commits to. Only this package makes them, from a job's content
 * and its domain tag, so no caller can hand the signer a digest it chose.
 */
public final class Digest32 {
  public static final int LENGTH = 32;
  private final byte[] bytes;

  private Digest32(byte[] bytes) {
    this.bytes = bytes;
  }

  static Digest32 wrap(byte[] bytes) {
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException("digest must be " + LENGTH + " bytes");
    }
    return new Digest32(bytes);
  }

  byte[] bytes() {
    return bytes;
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  public String toHex() {
    return Hex.encode(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Digest32 other && Arrays.equals(bytes, other.bytes);
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
