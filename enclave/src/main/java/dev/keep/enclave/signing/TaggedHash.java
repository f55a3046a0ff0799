package dev.keep.enclave.signing;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * BIP-340 tagged hashes: {@code SHA256(SHA256(tag) || SHA256(tag) || data)} (BIP-340
 * §Design, "Tagged Hashes"). Each kind of thing Keep signs has its own tag, so a signature over
 * one kind can never be replayed as a signature over another.
 */
public final class TaggedHash {
  /** Tag for {@code kind: "message"} jobs. Part of the public contract: verifiers need it. */
  public static final String MESSAGE_TAG = "KEEP/message";

  private TaggedHash() {}

  public static Digest32 of(String tag, byte[] data) {
    MessageDigest sha256 = sha256();
    byte[] tagHash = sha256.digest(tag.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    sha256.update(tagHash);
    sha256.update(tagHash);
    sha256.update(data);
    return Digest32.wrap(sha256.digest());
  }

  /** The digest a {@code message} job signs. */
  public static Digest32 message(byte[] message) {
    return of(MESSAGE_TAG, message);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
