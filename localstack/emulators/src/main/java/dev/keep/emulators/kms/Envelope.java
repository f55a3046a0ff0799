package dev.keep.emulators.kms;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Encrypts under a key's material and opens the result again, binding the blob header and the
 * encryption context as AES-GCM associated data.
 */
final class Envelope {
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";

  private Envelope() {}

  static byte[] seal(KmsKey key, byte[] plaintext, EncryptionContext context, SecureRandom random) {
    byte[] nonce = new byte[CiphertextBlob.NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] header = CiphertextBlob.header(key.id());
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(
          Cipher.ENCRYPT_MODE,
          key.material(),
          new GCMParameterSpec(CiphertextBlob.TAG_BYTES * 8, nonce));
      cipher.updateAAD(header);
      cipher.updateAAD(context.canonicalBytes());
      return new CiphertextBlob(key.id(), nonce, cipher.doFinal(plaintext)).encode();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /** The plaintext, or InvalidCiphertextException if the blob, key or context do not match. */
  static byte[] open(KmsKey key, CiphertextBlob blob, EncryptionContext context) {
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(
          Cipher.DECRYPT_MODE,
          key.material(),
          new GCMParameterSpec(CiphertextBlob.TAG_BYTES * 8, blob.nonce()));
      cipher.updateAAD(blob.header());
      cipher.updateAAD(context.canonicalBytes());
      return cipher.doFinal(blob.sealed());
    } catch (AEADBadTagException e) {
      throw CiphertextBlob.invalid();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM decryption failed", e);
    }
  }
}
