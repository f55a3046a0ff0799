package dev.keep.enclave.keys.hd;

import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.schema.encoding.Hex;
import fr.acinq.secp256k1.Secp256k1;
import fr.acinq.secp256k1.Secp256k1Exception;
import java.util.Arrays;

/**
 * A secp256k1 public key in SEC1 compressed form, BIP-32's ser_P(P): 0x02 or 0x03 (the parity of y)
 * followed by the 32-byte x coordinate. Every instance is a point on the curve.
 */
public final class CompressedPublicKey {
  public static final int LENGTH = 33;
  private static final Secp256k1 SECP = Secp256k1.get();

  private final byte[] bytes;

  private CompressedPublicKey(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Checks that {@code bytes} is a compressed encoding of a point on the curve.
   *
   * @throws IllegalArgumentException if it is not
   */
  public static CompressedPublicKey of(byte[] bytes) {
    String problem = problemWith(bytes);
    if (problem != null) {
      throw new IllegalArgumentException("compressed public key: " + problem);
    }
    return new CompressedPublicKey(bytes.clone());
  }

  /**
   * Why {@code bytes} is not a valid compressed key, or null when it is. BIP-32 §Serialization
   * format: "implementations must verify whether the X coordinate in the public key data
   * corresponds to a point on the curve".
   */
  static String problemWith(byte[] bytes) {
    if (bytes == null || bytes.length != LENGTH) {
      return "must be " + LENGTH + " bytes";
    }
    if (bytes[0] != 0x02 && bytes[0] != 0x03) {
      return String.format("must start with 0x02 or 0x03, found 0x%02x", bytes[0]);
    }
    try {
      SECP.pubkeyParse(bytes);
      return null;
    } catch (Secp256k1Exception e) {
      return "x coordinate is not on secp256k1";
    }
  }

  /** From libsecp256k1's 65-byte uncompressed output, which is a valid point by construction. */
  static CompressedPublicKey fromUncompressed(byte[] uncompressed) {
    return new CompressedPublicKey(SECP.pubKeyCompress(uncompressed));
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  /** The array itself, for hashing and libsecp256k1 calls inside this package; never modified. */
  byte[] bytes() {
    return bytes;
  }

  /** The BIP-340 x-only form: the x coordinate, dropping the parity byte. */
  public XOnlyPublicKey xOnly() {
    return XOnlyPublicKey.of(Arrays.copyOfRange(bytes, 1, LENGTH));
  }

  public String toHex() {
    return Hex.encode(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CompressedPublicKey other && Arrays.equals(bytes, other.bytes);
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
