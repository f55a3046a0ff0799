package dev.keep.enclave.signing;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * BIP-340 tagged hashes: {@code SHA256(SHA256(tag) || SHA256(tag) || data)} (BIP-340
 * §Design, "Tagged Hashes"). The BIP-340 engine uses them for its aux, nonce and challenge hashes.
 */
public final class TaggedHash {
  private TaggedHash() {}

  public static Digest32 of(String tag, byte[] data) {
    return Digest32.wrap(raw(tag, data));
  }

  /** The same hash as a bare array, for secret-derived values the caller must wipe itself. */
  static byte[] raw(String tag, byte[] data) {
    MessageDigest sha256 = sha256();
    byte[] tagHash = sha256.digest(tag.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    sha256.update(tagHash);
    sha256.update(tagHash);
    sha256.update(data);
    return sha256.digest();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
