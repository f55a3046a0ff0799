package dev.keep.enclave.keys;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * A secp256k1 secret key. It prints {@code <redacted>}, compares in constant time, can be wiped,
 * and its bytes are read only through {@link #expose()}, a call that is easy to grep for.
 */
public final class SecretKey implements AutoCloseable {
  public static final int LENGTH = 32;

  private final byte[] bytes;
  private volatile boolean wiped;

  private SecretKey(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Takes ownership of {@code bytes} (the caller must not keep or reuse the array). The range
   * check (0 < k < n) is done by the signing engine, which knows the curve order.
   */
  public static SecretKey adopt(byte[] bytes) {
    if (bytes == null || bytes.length != LENGTH) {
      throw new IllegalArgumentException("secret key must be " + LENGTH + " bytes");
    }
    return new SecretKey(bytes);
  }

  /**
   * The raw key bytes, for the signing engine only. The array is the key itself: do not copy it
   * out, log it or keep it.
   */
  public byte[] expose() {
    if (wiped) {
      throw new IllegalStateException("secret key was wiped");
    }
    return bytes;
  }

  /** Overwrites the key bytes; any later {@link #expose()} throws. */
  public void wipe() {
    Arrays.fill(bytes, (byte) 0);
    wiped = true;
  }

  public boolean isWiped() {
    return wiped;
  }

  @Override
  public void close() {
    wipe();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretKey other && MessageDigest.isEqual(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    // A hash of the key would leak bits of it into hash tables; all keys share one bucket.
    return 0;
  }

  @Override
  public String toString() {
    return "<redacted>";
  }
}
