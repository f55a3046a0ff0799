package dev.keep.enclave.seal;

import dev.keep.schema.protocol.SealedBlob;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM over a blob's secret part (NIST SP 800-38D), with every clear header field of the
 * {@link SealedBlob} as associated data. A data key seals at most a key and its successive
 * states, far below the 2^32 random-nonce limit of SP 800-38D §8.3.
 */
final class BlobCipher {
  private static final String DOMAIN = "KEEP/sealed/v1";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private BlobCipher() {}

  /** The header fields of a blob before it is sealed. */
  record Header(String kind, String keyId, String tenant, long sequence, String kmsKeyId, String dataKey) {}

  static SealedBlob seal(Header h, DataKey key, byte[] plaintext, SecureRandom random) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(Cipher.ENCRYPT_MODE, key.spec(), new GCMParameterSpec(TAG_BITS, nonce));
      gcm.updateAAD(aad(h));
      byte[] ciphertext = gcm.doFinal(plaintext);
      Base64.Encoder b64 = Base64.getEncoder();
      return new SealedBlob(SealedBlob.VERSION, h.kind(), h.keyId(), h.tenant(), h.sequence(), h.kmsKeyId(),
          h.dataKey(), b64.encodeToString(nonce), b64.encodeToString(ciphertext));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-GCM is available in every JDK", e);
    }
  }

  /**
   * Opens {@code blob} as if it were filed under {@code keyId}: a blob moved to another key fails
   * the tag check even when its clear header was edited to match. The caller wipes the result.
   */
  static byte[] open(SealedBlob blob, String keyId, DataKey key) throws SealingException {
    Header h = new Header(blob.kind(), keyId, blob.tenant(), blob.sequence(), blob.kmsKeyId(), blob.dataKey());
    try {
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(Cipher.DECRYPT_MODE, key.spec(), new GCMParameterSpec(TAG_BITS, blob.nonceBytes()));
      gcm.updateAAD(aad(h));
      return gcm.doFinal(blob.ciphertextBytes());
    } catch (AEADBadTagException e) {
      throw new SealingException("the sealed " + blob.kind() + " of '" + keyId + "' fails its integrity check: it was "
          + "sealed for another key, tenant or data key, or was altered");
    } catch (GeneralSecurityException e) {
      throw new SealingException("the sealed " + blob.kind() + " of '" + keyId + "' does not open: "
          + e.getClass().getSimpleName());
    }
  }

  /** Each field length-prefixed, so no two headers give the same bytes. */
  private static byte[] aad(Header h) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String field : new String[] {DOMAIN, h.kind(), h.keyId(), h.tenant(), h.kmsKeyId(), h.dataKey()}) {
      byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
      out.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
      out.writeBytes(bytes);
    }
    out.writeBytes(ByteBuffer.allocate(8).putLong(h.sequence()).array());
    return out.toByteArray();
  }
}
