package dev.keep.emulators.kms;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Non-secret key-value pairs bound to a ciphertext: Decrypt must present exactly the pairs Encrypt
 * was given, in any order. An absent context and an empty one are the same, as in AWS.
 */
record EncryptionContext(SortedMap<String, String> pairs) {
  static final EncryptionContext EMPTY = new EncryptionContext(new TreeMap<>());

  EncryptionContext {
    pairs = Collections.unmodifiableSortedMap(new TreeMap<>(pairs));
  }

  static EncryptionContext of(Map<String, String> pairs) {
    return new EncryptionContext(new TreeMap<>(pairs));
  }

  /**
   * An unambiguous byte form, used as AES-GCM associated data: the pair count, then each key and
   * value as a 4-byte length and UTF-8 bytes, in key order. Lengths make "a=bc" and "ab=c"
   * different; sorting makes the client's map order irrelevant.
   */
  byte[] canonicalBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeInt(out, pairs.size());
    pairs.forEach(
        (key, value) -> {
          writeString(out, key);
          writeString(out, value);
        });
    return out.toByteArray();
  }

  private static void writeString(ByteArrayOutputStream out, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    writeInt(out, bytes.length);
    out.writeBytes(bytes);
  }

  private static void writeInt(ByteArrayOutputStream out, int value) {
    out.writeBytes(ByteBuffer.allocate(Integer.BYTES).putInt(value).array());
  }
}
