package dev.keep.enclave.signing;

import dev.keep.schema.encoding.Hex;
import java.util.Arrays;

/**
 * A message of any length that a BIP-340 signature commits to directly (BIP-340 §Messages of
 * Arbitrary Size). Distinct from {@link Digest32}: a message is the signed bytes themselves, a
 * digest is the output of some other hash that the caller claims.
 */
public final class Message {
  /** The largest message Keep signs; the enclave protocol enforces the same bound. */
  public static final int MAX_LENGTH = 65_536;

  private final byte[] bytes;

  private Message(byte[] bytes) {
    this.bytes = bytes;
  }

  public static Message of(byte[] bytes) {
    if (bytes == null || bytes.length > MAX_LENGTH) {
      throw new IllegalArgumentException("message: at most " + MAX_LENGTH + " bytes");
    }
    return new Message(bytes.clone());
  }

  /** The 32 bytes of a digest, signed as a BIP-340 message (the BIP's original 32-byte case). */
  public static Message of(Digest32 digest) {
    return new Message(digest.toBytes());
  }

  byte[] bytes() {
    return bytes;
  }

  public int length() {
    return bytes.length;
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  public String toHex() {
    return Hex.encode(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Message other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "Message[" + bytes.length + " bytes]";
  }
}
