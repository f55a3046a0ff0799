package dev.keep.enclave.policy;

import dev.keep.enclave.bitcoin.tx.DoubleSha256;
import dev.keep.schema.encoding.Hex;
import java.nio.charset.StandardCharsets;
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
    return new PolicyHash(DoubleSha256.sha256(canonicalJson.getBytes(StandardCharsets.UTF_8)));
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
