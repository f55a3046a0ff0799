package dev.keep.schema.attestation;

import java.util.Arrays;

/**
 * The {@code user_data} of a document: what the enclave binds to the attestation (for Keep, the
 * hash of what a verifier must check: policy hash, audit key). At most 1024 bytes. Prints as hex.
 */
public final class UserData {
  public static final int MAX_LENGTH = 1024;

  private final byte[] value;

  private UserData(byte[] value) {
    this.value = value;
  }

  /** @throws IllegalArgumentException when longer than 1024 bytes */
  public static UserData of(byte[] value) {
    if (value.length > MAX_LENGTH) {
      throw new IllegalArgumentException("user data is at most " + MAX_LENGTH + " bytes, not " + value.length);
    }
    return new UserData(value.clone());
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
    return o instanceof UserData other && Arrays.equals(value, other.value);
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
