package dev.keep.enclave.keys.hd;

import java.util.Arrays;

/**
 * A BIP-32 chain code (§Extended keys): the 32 bytes of extra entropy that, with a key, derive its
 * children. It is treated as a secret: together with any non-hardened child private key it yields
 * the parent private key (§Security, Implications), so it prints {@code <redacted>} and is wiped
 * with the key that holds it.
 */
final class ChainCode {
  static final int LENGTH = 32;

  private final byte[] bytes;
  private volatile boolean wiped;

  private ChainCode(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Takes ownership of {@code bytes}; the caller must not keep or reuse the array. */
  static ChainCode adopt(byte[] bytes) {
    if (bytes == null || bytes.length != LENGTH) {
      throw new IllegalArgumentException("chain code must be " + LENGTH + " bytes");
    }
    return new ChainCode(bytes);
  }

  /**
   * The raw bytes, used as the HMAC key and in serialization. Do not copy them out or keep them.
   */
  byte[] expose() {
    if (wiped) {
      throw new IllegalStateException("chain code was wiped");
    }
    return bytes;
  }

  ChainCode copy() {
    return new ChainCode(expose().clone());
  }

  void wipe() {
    Arrays.fill(bytes, (byte) 0);
    wiped = true;
  }

  boolean isWiped() {
    return wiped;
  }

  @Override
  public String toString() {
    return "<redacted>";
  }
}
