package dev.keep.schema.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 and BIP-340's tagged hash ({@code SHA256(SHA256(tag) || SHA256(tag) || data)}), over public data. */
public final class Hashes {
  private Hashes() {}

  public static byte[] sha256(byte[] data) {
    return digest().digest(data);
  }

  public static byte[] tagged(String tag, byte[] data) {
    MessageDigest sha = digest();
    byte[] tagHash = sha.digest(tag.getBytes(StandardCharsets.UTF_8));
    sha.update(tagHash);
    sha.update(tagHash);
    return sha.digest(data);
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
