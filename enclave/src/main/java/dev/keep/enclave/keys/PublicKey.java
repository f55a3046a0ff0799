package dev.keep.enclave.keys;

import dev.keep.schema.encoding.Hex;
import java.util.Arrays;

/**
 * A secp256k1 public key in SEC1 compressed form (33 bytes: 0x02 or 0x03, then X). The point is
 * checked to be on the curve by whoever makes one from outside data (the engine's {@code parse}).
 */
public final class PublicKey {
  public static final int LENGTH = 33;
  private final byte[] bytes;

  private PublicKey(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * From 33 compressed bytes. Only the prefix is checked here; that X is on the curve is checked
   * by {@code SigningEngine.parsePublicKey}, the way every untrusted key enters.
   */
  public static PublicKey ofCompressed(byte[] bytes) {
    if (bytes == null || bytes.length != LENGTH || (bytes[0] != 0x02 && bytes[0] != 0x03)) {
      throw new IllegalArgumentException("public key must be 33 bytes, SEC1 compressed (02 or 03 prefix)");
    }
    return new PublicKey(bytes.clone());
  }

  /** BIP-340 §Public Key Generation: the X coordinate alone; the signer negates d when Y is odd. */
  public XOnlyPublicKey xOnly() {
    return XOnlyPublicKey.of(Arrays.copyOfRange(bytes, 1, LENGTH));
  }

  public boolean hasEvenY() {
    return bytes[0] == 0x02;
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  public String toHex() {
    return Hex.encode(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PublicKey other && Arrays.equals(bytes, other.bytes);
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
