package dev.keep.enclave.signing;

import dev.keep.schema.encoding.Hex;
import java.util.Arrays;

/**
 * A 32-byte hash that a signature commits to: a sighash, a Nostr event id, a signed-message hash.
 * This package makes them from content it hashed itself; {@link #claimed} makes one from a bare
 * value a caller sent, which the enclave signs only for keys configured to allow digests.
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

  /**
   * A digest the caller computed and the enclave cannot check. Signing one is allowed only for a
   * key whose configuration allows digests, because a bare digest could be anything: a Nostr id,
   * a taproot sighash, another protocol's hash.
   */
  public static Digest32 claimed(byte[] bytes) {
    return wrap(bytes.clone());
  }

  /** From content already hashed by another enclave package (the Nostr event id, for one). */
  public static Digest32 computed(byte[] sha256Output) {
    return wrap(sha256Output.clone());
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
