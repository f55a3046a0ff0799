package dev.keep.emulators.kms;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Keep's own ciphertext format, version 1. It names its key, so Decrypt needs no KeyId, as in AWS.
 *
 * <pre>
 *   1 byte   format version (1)
 *   1 byte   n, length of the key id
 *   n bytes  key id (ASCII, a UUID)
 *  12 bytes  AES-GCM nonce
 *   rest     AES-256-GCM ciphertext followed by its 16-byte tag
 * </pre>
 *
 * The header (version and key id) is part of the associated data, so a blob re-labelled with
 * another key id fails to decrypt instead of being tried under the wrong key.
 */
record CiphertextBlob(String keyId, byte[] nonce, byte[] sealed) {
  static final byte VERSION = 1;
  static final int NONCE_BYTES = 12;
  static final int TAG_BYTES = 16;

  /** Version and key id: the part of the blob that is authenticated but not encrypted. */
  byte[] header() {
    return header(keyId);
  }

  static byte[] header(String keyId) {
    byte[] id = keyId.getBytes(StandardCharsets.US_ASCII);
    if (id.length == 0 || id.length > 255) {
      throw new IllegalArgumentException("key id length " + id.length);
    }
    return ByteBuffer.allocate(2 + id.length).put(VERSION).put((byte) id.length).put(id).array();
  }

  byte[] encode() {
    byte[] header = header();
    return ByteBuffer.allocate(header.length + nonce.length + sealed.length)
        .put(header)
        .put(nonce)
        .put(sealed)
        .array();
  }

  /** Parses a blob; anything that is not a well-formed version 1 blob is an invalid ciphertext. */
  static CiphertextBlob decode(byte[] blob) {
    if (blob.length < 2 || blob[0] != VERSION) {
      throw invalid();
    }
    int idLength = Byte.toUnsignedInt(blob[1]);
    int nonceStart = 2 + idLength;
    int sealedStart = nonceStart + NONCE_BYTES;
    if (idLength == 0 || blob.length < sealedStart + TAG_BYTES) {
      throw invalid();
    }
    String keyId = new String(blob, 2, idLength, StandardCharsets.US_ASCII);
    return new CiphertextBlob(
        keyId,
        Arrays.copyOfRange(blob, nonceStart, sealedStart),
        Arrays.copyOfRange(blob, sealedStart, blob.length));
  }

  static KmsException invalid() {
    // AWS says nothing more either: details would help an attacker probing ciphertexts.
    return new KmsException(KmsError.INVALID_CIPHERTEXT, null);
  }
}
