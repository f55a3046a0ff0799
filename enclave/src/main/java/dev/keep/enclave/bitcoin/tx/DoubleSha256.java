package dev.keep.enclave.bitcoin.tx;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA256(SHA256(x)): Bitcoin's txid hash and the BIP-143 / legacy sighash hash. */
public final class DoubleSha256 {
  private DoubleSha256() {}

  public static byte[] of(byte[] data) {
    MessageDigest sha = sha256();
    return sha.digest(sha.digest(data));
  }

  public static byte[] sha256(byte[] data) {
    return sha256().digest(data);
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
