package dev.keep.schema.encoding;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 (RFC 3629): a byte sequence that is not UTF-8, and a string that has no UTF-8 form
 * (an unpaired surrogate), are errors, never replaced with U+FFFD. A replacement would change what
 * is signed: {@code caf\xE9} would be signed as {@code caf\uFFFD}.
 */
public final class Utf8 {
  private Utf8() {}

  /** The bytes are not UTF-8, or the text has no UTF-8 form; the message names where. */
  public static final class MalformedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final long offset;

    MalformedException(String message, long offset) {
      super(message);
      this.offset = offset;
    }

    /** The byte offset (for bytes) or UTF-16 index (for text) of the first bad unit. */
    public long offset() {
      return offset;
    }
  }

  /**
   * Decodes {@code bytes}, refusing malformed input.
   *
   * @param what what the bytes are, for the message ("body", "--file policy.json")
   */
  public static String decode(byte[] bytes, String what) throws MalformedException {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      int at = in.position();
      throw new MalformedException(
          what + ": not valid UTF-8 at byte offset " + at + " (byte 0x"
              + String.format("%02X", bytes[at] & 0xff) + ")",
          at);
    }
    decoder.flush(out);
    return out.flip().toString();
  }

  /**
   * The UTF-8 length of {@code text}, refusing an unpaired surrogate, which has no UTF-8 form.
   *
   * @param what what the text is, for the message
   */
  public static long length(String text, String what) throws MalformedException {
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        throw unpaired(what, c, i);
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** {@code text} as UTF-8, refusing an unpaired surrogate. */
  public static byte[] encode(String text, String what) throws MalformedException {
    CharsetEncoder encoder =
        StandardCharsets.UTF_8
            .newEncoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      ByteBuffer out = encoder.encode(CharBuffer.wrap(text));
      byte[] bytes = new byte[out.remaining()];
      out.get(bytes);
      return bytes;
    } catch (java.nio.charset.CharacterCodingException e) {
      length(text, what); // names the first unpaired surrogate
      throw new MalformedException(what + ": has no UTF-8 form", 0);
    }
  }

  /** The index of the first unpaired surrogate in {@code text}, or -1. */
  public static int firstUnpairedSurrogate(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  private static MalformedException unpaired(String what, char c, int index) {
    return new MalformedException(
        what + ": has an unpaired UTF-16 surrogate \\u" + String.format("%04x", (int) c)
            + " at character " + index + "; text must be Unicode scalar values (RFC 8259 §8.2)",
        index);
  }
}
