package dev.keep.schema.attestation;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The {@code nonce} of a document: the verifier's challenge, echoed by the NSM so that an old
 * document cannot be replayed. At most 1024 bytes ({@code user_data = bytes .size (0..1024)}).
 * Compares in constant time; prints as hex.
 */
public final class Nonce {
  public static final int MAX_LENGTH = 1024;

  private final byte[] value;

  private Nonce(byte[] value) {
    this.value = value;
  }

  /** @throws IllegalArgumentException when longer than 1024 bytes */
  public static Nonce of(byte[] value) {
    if (value.length > MAX_LENGTH) {
      throw new IllegalArgumentException("a nonce is at most " + MAX_LENGTH + " bytes, not " + value.length);
    }
    return new Nonce(value.clone());
  }

  public byte[] bytes() {
    return value.clone();
  }

  public int length() {
    return value.length;
  }

  public String hex() {
    return Blobs.hex(value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Nonce other && MessageDigest.isEqual(value, other.value);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return Blobs.describe(value);
  }
}
