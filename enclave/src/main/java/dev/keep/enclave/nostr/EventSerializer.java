package dev.keep.enclave.nostr;

import dev.keep.enclave.keys.XOnlyPublicKey;
import java.util.Arrays;
import java.util.List;

/**
 * The NIP-01 serialization an event id is the SHA-256 of (NIP-01 §Events and signatures):
 * {@code [0,<pubkey>,<created_at>,<kind>,<tags>,<content>]} as UTF-8, with no whitespace.
 *
 * <p>NIP-01: "The following characters ... must be escaped as shown, and all other characters
 * must be included verbatim": LF as {@code \n}, " as {@code \"}, \ as {@code \\}, CR as {@code
 * \r}, tab as {@code \t}, backspace as {@code \b}, form feed as {@code \f}. Every other
 * character, including the other control characters U+0000-U+001F, DEL and U+2028, goes out as its
 * raw UTF-8 bytes. NIP-01 states the rule for content; Keep applies it to every string (tags, and
 * the pubkey, whose hex it leaves unchanged), as other implementations do.
 *
 * <p>Written by hand, not with Jackson: Jackson writes those other control characters as
 * six-character unicode escapes, and its byte output escapes characters outside the BMP (emoji)
 * as surrogate pairs; either gives another id.
 *
 * <p>Known interoperability gap (nostr-protocol/nips#1403): JavaScript's {@code JSON.stringify}
 * also escapes the other control characters, so an event whose strings contain one (U+0001, say)
 * gets a different id from such a client than from this spec-following serializer.
 */
public final class EventSerializer {
  private EventSerializer() {}

  /** The bytes whose SHA-256 is the event id. */
  public static byte[] serialize(UnsignedEvent event) {
    return write(
        event.pubkey(),
        event.createdAt(),
        event.kind(),
        event.tags(),
        event.content(),
        UnsignedEvent.MAX_SERIALIZED_BYTES);
  }

  /**
   * Serializes the fields; {@link UnsignedEvent}'s constructor calls this to enforce {@code limit}
   * before the event exists, so the strings must already have passed {@link #utf8Length}.
   *
   * @throws InvalidEventException when the serialization would exceed {@code limit} bytes
   */
  static byte[] write(
      XOnlyPublicKey pubkey,
      long createdAt,
      int kind,
      List<List<String>> tags,
      String content,
      int limit) {
    Output out = new Output(limit);
    out.ascii("[0,");
    out.string(pubkey.toHex());
    out.ascii(",").ascii(Long.toString(createdAt));
    out.ascii(",").ascii(Integer.toString(kind));
    out.ascii(",[");
    for (int i = 0; i < tags.size(); i++) {
      out.ascii(i == 0 ? "[" : ",[");
      List<String> tag = tags.get(i);
      for (int j = 0; j < tag.size(); j++) {
        if (j > 0) {
          out.ascii(",");
        }
        out.string(tag.get(j));
      }
      out.ascii("]");
    }
    out.ascii("],");
    out.string(content);
    out.ascii("]");
    return out.toByteArray();
  }

  /**
   * The UTF-8 length of {@code s}.
   *
   * @throws InvalidEventException naming {@code path} when {@code s} has an unpaired UTF-16
   *     surrogate, which has no UTF-8 encoding and so no NIP-01 serialization
   */
  static int utf8Length(String path, String s) {
    int length = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        length += 1;
      } else if (c < 0x800) {
        length += 2;
      } else if (!Character.isSurrogate(c)) {
        length += 3;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        length += 4;
        i++;
      } else {
        throw new InvalidEventException(
            path, "unpaired UTF-16 surrogate at index " + i + " (not encodable as UTF-8)");
      }
    }
    return length;
  }

  /** A byte buffer that refuses to grow past its limit. */
  private static final class Output {
    private final int limit;
    private byte[] buf = new byte[256];
    private int size;

    Output(int limit) {
      this.limit = limit;
    }

    Output ascii(String s) {
      for (int i = 0; i < s.length(); i++) {
        put(s.charAt(i));
      }
      return this;
    }

    /** A JSON string under NIP-01's escaping rules, quoted. */
    void string(String s) {
      put('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '\n' -> escape('n');
          case '"' -> escape('"');
          case '\\' -> escape('\\');
          case '\r' -> escape('r');
          case '\t' -> escape('t');
          case '\b' -> escape('b');
          case '\f' -> escape('f');
          default -> {
            if (c < 0x80) {
              put(c);
            } else if (c < 0x800) {
              put(0xc0 | (c >>> 6));
              put(0x80 | (c & 0x3f));
            } else if (!Character.isSurrogate(c)) {
              put(0xe0 | (c >>> 12));
              put(0x80 | ((c >>> 6) & 0x3f));
              put(0x80 | (c & 0x3f));
            } else {
              // utf8Length rejected unpaired surrogates before any event was made.
              int cp = Character.codePointAt(s, i);
              if (!Character.isSupplementaryCodePoint(cp)) {
                throw new IllegalStateException("unpaired surrogate reached the serializer");
              }
              put(0xf0 | (cp >>> 18));
              put(0x80 | ((cp >>> 12) & 0x3f));
              put(0x80 | ((cp >>> 6) & 0x3f));
              put(0x80 | (cp & 0x3f));
              i++;
            }
          }
        }
      }
      put('"');
    }

    private void escape(char letter) {
      put('\\');
      put(letter);
    }

    private void put(int b) {
      if (size == limit) {
        throw new InvalidEventException(
            "event", "NIP-01 serialization is larger than " + limit + " bytes");
      }
      if (size == buf.length) {
        buf = Arrays.copyOf(buf, (int) Math.min((long) buf.length * 2, limit));
      }
      buf[size++] = (byte) b;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, size);
    }
  }
}
