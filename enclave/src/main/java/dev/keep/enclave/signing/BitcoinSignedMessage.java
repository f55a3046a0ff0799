package dev.keep.enclave.signing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The digest an ECDSA {@code message} job signs: Bitcoin Core's signed-message hash,
 * {@code SHA256d(varstr("Bitcoin Signed Message:\n") || varstr(message))} (the format of
 * {@code signmessage}, and of BIP-137). The fixed prefix keeps a message signature from ever being
 * a signature over a transaction sighash, whose preimage cannot start with these bytes.
 */
public final class BitcoinSignedMessage {
  static final byte[] MAGIC = "Bitcoin Signed Message:\n".getBytes(StandardCharsets.US_ASCII);

  private BitcoinSignedMessage() {}

  public static Digest32 digest(Message message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(message.length() + 40);
    writeVarBytes(out, MAGIC);
    writeVarBytes(out, message.bytes());
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      return Digest32.wrap(sha256.digest(sha256.digest(out.toByteArray())));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** Bitcoin's CompactSize length prefix, then the bytes. */
  private static void writeVarBytes(ByteArrayOutputStream out, byte[] bytes) {
    long n = bytes.length;
    if (n < 0xFD) {
      out.write((int) n);
    } else if (n <= 0xFFFF) {
      out.write(0xFD);
      out.write((int) (n & 0xFF));
      out.write((int) (n >>> 8));
    } else {
      out.write(0xFE);
      for (int i = 0; i < 4; i++) {
        out.write((int) ((n >>> (8 * i)) & 0xFF));
      }
    }
    out.writeBytes(bytes);
  }
}
