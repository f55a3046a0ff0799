package dev.keep.schema.attestation;

import java.util.Arrays;

/**
 * The {@code public_key} of a document: a key the enclave holds, for a verifier to encrypt to or
 * check signatures with (Keep's enclave puts its RSA key here, for KMS {@code Recipient}). The
 * bytes are kept as the document has them (1..1024 bytes, normally a DER SubjectPublicKeyInfo);
 * the verifier does not interpret them. Prints as hex.
 */
public final class AttestedPublicKey {
  public static final int MAX_LENGTH = 1024;

  private final byte[] value;

  private AttestedPublicKey(byte[] value) {
    this.value = value;
  }

  /** @throws IllegalArgumentException unless 1..1024 bytes */
  public static AttestedPublicKey of(byte[] value) {
    if (value.length < 1 || value.length > MAX_LENGTH) {
      throw new IllegalArgumentException("a public key is 1.." + MAX_LENGTH + " bytes, not " + value.length);
    }
    return new AttestedPublicKey(value.clone());
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
    return o instanceof AttestedPublicKey other && Arrays.equals(value, other.value);
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
