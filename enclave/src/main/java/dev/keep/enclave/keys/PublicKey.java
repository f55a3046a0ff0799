package dev.keep.enclave.keys;

import dev.keep.schema.encoding.Hex;
import fr.acinq.secp256k1.Secp256k1;
import java.util.Arrays;

/**
 * A secp256k1 public key in SEC1 compressed form (33 bytes: 0x02 or 0x03, then X), also BIP-32's
 * ser_P(P). Every instance is a point on the curve: {@link #ofCompressed} checks it, and
 * {@link #fromUncompressed} takes libsecp256k1's own output.
 */
public final class PublicKey {
  public static final int LENGTH = 33;
  private static final Secp256k1 SECP = Secp256k1.get();
  private final byte[] bytes;

  private PublicKey(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * From 33 compressed bytes, checking that they encode a point on the curve.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static PublicKey ofCompressed(byte[] bytes) {
    String problem = problemWith(bytes);
    if (problem != null) {
      throw new IllegalArgumentException("compressed public key: " + problem);
    }
    return new PublicKey(bytes.clone());
  }

  /**
   * Why {@code bytes} is not a valid compressed key, or null when it is. BIP-32 §Serialization
   * format: "implementations must verify whether the X coordinate in the public key data
   * corresponds to a point on the curve".
   */
  public static String problemWith(byte[] bytes) {
    if (bytes == null || bytes.length != LENGTH) {
      return "must be " + LENGTH + " bytes";
    }
    if (bytes[0] != 0x02 && bytes[0] != 0x03) {
      return String.format("must start with 0x02 or 0x03, found 0x%02x", bytes[0]);
    }
    try {
      SECP.pubkeyParse(bytes);
      return null;
    } catch (RuntimeException e) {
      return "x coordinate is not on secp256k1";
    }
  }

  /** From libsecp256k1's 65-byte uncompressed output, which is a valid point by construction. */
  public static PublicKey fromUncompressed(byte[] uncompressed) {
    return new PublicKey(SECP.pubKeyCompress(uncompressed));
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
