package dev.keep.enclave.keys;

import dev.keep.schema.encoding.Hex;
import java.util.Arrays;

/** A BIP-340 x-only public key: the 32-byte X coordinate of a point with even Y. */
public final class XOnlyPublicKey {
  public static final int LENGTH = 32;
  private final byte[] bytes;

  private XOnlyPublicKey(byte[] bytes) {
    this.bytes = bytes;
  }

  public static XOnlyPublicKey of(byte[] bytes) {
    if (bytes == null || bytes.length != LENGTH) {
      throw new IllegalArgumentException("x-only public key must be " + LENGTH + " bytes");
    }
    return new XOnlyPublicKey(bytes.clone());
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  public String toHex() {
    return Hex.encode(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof XOnlyPublicKey other && Arrays.equals(bytes, other.bytes);
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
