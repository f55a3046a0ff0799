package dev.keep.enclave.keys.hd;

import dev.keep.enclave.bitcoin.tx.DoubleSha256;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * The hash functions BIP-32 is built from: HMAC-SHA512 (RFC 4231), HASH160 and the Base58Check
 * checksum.
 */
final class Bip32Hashes {
  static final int HMAC_LENGTH = 64;

  private Bip32Hashes() {}

  /**
   * I = HMAC-SHA512(Key = key, Data = parts...), written into a fresh 64-byte array that the caller
   * owns and must wipe when I holds secret material. The data is fed in pieces so that no
   * concatenation buffer holding a private key is ever built. The JCE provider keeps its own copy
   * of the key (SecretKeySpec clones it) until the Mac is garbage collected; that copy is out of
   * reach.
   */
  static byte[] hmacSha512(byte[] key, byte[]... parts) {
    try {
      Mac mac = Mac.getInstance("HmacSHA512");
      mac.init(new SecretKeySpec(key, "HmacSHA512"));
      for (byte[] part : parts) {
        mac.update(part);
      }
      byte[] out = new byte[HMAC_LENGTH];
      mac.doFinal(out, 0);
      return out;
    } catch (ShortBufferException e) {
      throw new IllegalStateException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA512 is missing from this JDK", e);
    }
  }

  /**
   * SHA256(SHA256(data[0..length))): §Serialization format takes its 32 checksum bits from this.
   * Hashing a prefix in place avoids copying a buffer that may hold a private key.
   */
  static byte[] doubleSha256(byte[] data, int length) {
    MessageDigest sha = DoubleSha256.sha256();
    sha.update(data, 0, length);
    return sha.digest(sha.digest());
  }
}
