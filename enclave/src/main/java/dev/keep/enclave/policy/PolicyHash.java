package dev.keep.enclave.policy;

import dev.keep.schema.encoding.Hex;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/** SHA-256 of a policy's canonical JSON: what attestation and audit records name a policy by. */
public final class PolicyHash {
  public static final int LENGTH = 32;
  private final byte[] bytes;

  private PolicyHash(byte[] bytes) {
    this.bytes = bytes;
  }

  public static PolicyHash of(byte[] bytes) {
    if (bytes == null || bytes.length != LENGTH) {
      throw new IllegalArgumentException("policy hash must be " + LENGTH + " bytes");
    }
    return new PolicyHash(bytes.clone());
  }

  static PolicyHash ofCanonicalJson(String canonicalJson) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      return new PolicyHash(sha256.digest(canonicalJson.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  public String toHex() {
    return Hex.encode(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PolicyHash other && Arrays.equals(bytes, other.bytes);
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
