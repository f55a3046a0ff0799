package dev.keep.schema.attestation;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A strict decoder for the part of CBOR (RFC 8949) that attestation documents use: unsigned and
 * negative integers, byte and text strings, arrays, maps, tags, and the simple values false, true
 * and null.
 *
 * <p>Every item must be well-formed (RFC 8949 §5.3.1) and, beyond that, this decoder refuses:
 *
 * <ul>
 *   <li>indefinite lengths (§3.2.2): Nitro documents never use them, and they make a document's
 *       size unknowable until the end;
 *   <li>floating-point numbers and simple values other than false, true and null;
 *   <li>integers outside Java's {@code long};
 *   <li>text that is not valid UTF-8 (§5.3.2, "invalid UTF-8 string");
 *   <li>two map keys that are equal (§5.6, "duplicate keys");
 *   <li>nesting deeper than {@link #MAX_DEPTH};
 *   <li>any byte after the top-level item.
 * </ul>
 *
 * <p>Integers and lengths need not use the shortest form: that is still valid CBOR (§4.2.1 is a
 * rule for deterministic <em>encoders</em>), and the bytes that matter are covered by the
 * signature anyway.
 */
final class Cbor {
  static final int MAX_DEPTH = 16;

  private Cbor() {}

  /** A decoded item. Byte strings are copied out of the input, so items own their bytes. */
  sealed interface Item permits Int, Bytes, Text, Array, CborMap, Tagged, Simple {
    /** The item's kind as a reader would say it: "byte string", "map", ... */
    String kind();

    /** The kind with its article: "a byte string", "an array". */
    default String aKind() {
      return ("aeiou".indexOf(kind().charAt(0)) >= 0 ? "an " : "a ") + kind();
    }
  }

  record Int(long value) implements Item {
    @Override
    public String kind() {
      return value >= 0 ? "unsigned integer" : "negative integer";
    }
  }

  record Bytes(byte[] value) implements Item {
    Bytes {
      value = value.clone();
    }

    @Override
    public byte[] value() {
      return value.clone();
    }

    int length() {
      return value.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Bytes other && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return "Bytes[" + value.length + " bytes]";
    }

    @Override
    public String kind() {
      return "byte string";
    }
  }

  record Text(String value) implements Item {
    @Override
    public String kind() {
      return "text string";
    }
  }

  record Array(List<Item> items) implements Item {
    Array {
      items = List.copyOf(items);
    }

    @Override
    public String kind() {
      return "array";
    }
  }

  /** A map in encoded order; keys are unique. */
  record CborMap(Map<Item, Item> entries) implements Item {
    CborMap {
      entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    @Override
    public String kind() {
      return "map";
    }
  }

  record Tagged(long tag, Item content) implements Item {
    @Override
    public String kind() {
      return "tag " + Long.toUnsignedString(tag);
    }
  }

  enum Simple implements Item {
    FALSE,
    TRUE,
    NULL;

    @Override
    public String kind() {
      return switch (this) {
        case FALSE, TRUE -> "boolean";
        case NULL -> "null";
      };
    }

    @Override
    public String aKind() {
      return this == NULL ? "null" : "a boolean";
    }
  }

  /** The input is not CBOR this decoder accepts; the message says where and why. */
  static final class DecodingException extends Exception {
    private static final long serialVersionUID = 1L;

    DecodingException(String message) {
      super(message);
    }
  }

  /** Decodes exactly one item that spans all of {@code input}. */
  static Item decode(byte[] input) throws DecodingException {
    Reader reader = new Reader(input);
    Item item = reader.item(0);
    if (reader.position != input.length) {
      throw new DecodingException(
          (input.length - reader.position) + " bytes after the item (offset " + reader.position + ")");
    }
    return item;
  }

  private static final class Reader {
    private final byte[] in;
    private int position;

    Reader(byte[] in) {
      this.in = in;
    }

    Item item(int depth) throws DecodingException {
      if (depth > MAX_DEPTH) {
        throw new DecodingException("nested deeper than " + MAX_DEPTH + " (offset " + position + ")");
      }
      int start = position;
      int initial = u8();
      int major = initial >>> 5;
      int info = initial & 0x1f;
      if (major == 7) {
        return simple(info, start);
      }
      long argument = argument(info, start);
      return switch (major) {
        case 0 -> new Int(toLong(argument, start));
        case 1 -> new Int(-1 - toLong(argument, start));
        case 2 -> new Bytes(take(length(argument, start)));
        case 3 -> new Text(utf8(take(length(argument, start)), start));
        case 4 -> array(length(argument, start), depth);
        case 5 -> map(length(argument, start), depth, start);
        case 6 -> new Tagged(argument, item(depth + 1));
        default -> throw new AssertionError(major);
      };
    }

    private Item simple(int info, int start) throws DecodingException {
      return switch (info) {
        case 20 -> Simple.FALSE;
        case 21 -> Simple.TRUE;
        case 22 -> Simple.NULL;
        case 25, 26, 27 -> throw new DecodingException("floating-point number at offset " + start);
        case 31 -> throw new DecodingException("\"break\" outside an indefinite-length item at offset " + start);
        default -> throw new DecodingException("unsupported simple value at offset " + start);
      };
    }

    /** The head's argument (RFC 8949 §3), as an unsigned 64-bit value. */
    private long argument(int info, int start) throws DecodingException {
      if (info < 24) {
        return info;
      }
      return switch (info) {
        case 24 -> u8();
        case 25 -> bigEndian(2);
        case 26 -> bigEndian(4);
        case 27 -> bigEndian(8);
        case 31 -> throw new DecodingException("indefinite length at offset " + start);
        default -> throw new DecodingException("reserved additional information " + info + " at offset " + start);
      };
    }

    private Array array(int count, int depth) throws DecodingException {
      List<Item> items = new ArrayList<>(Math.min(count, 64));
      for (int i = 0; i < count; i++) {
        items.add(item(depth + 1));
      }
      return new Array(items);
    }

    private CborMap map(int count, int depth, int start) throws DecodingException {
      Map<Item, Item> entries = new LinkedHashMap<>();
      Set<Item> seen = new HashSet<>();
      for (int i = 0; i < count; i++) {
        int keyAt = position;
        Item key = item(depth + 1);
        if (!seen.add(key)) {
          throw new DecodingException("duplicate map key at offset " + keyAt + " (map at offset " + start + ")");
        }
        entries.put(key, item(depth + 1));
      }
      return new CborMap(entries);
    }

    /** A length or count: it must fit in what is left, which also bounds every allocation. */
    private int length(long argument, int start) throws DecodingException {
      int left = in.length - position;
      if (argument < 0 || argument > left) {
        throw new DecodingException(
            "length " + Long.toUnsignedString(argument) + " at offset " + start + " exceeds the "
                + left + " bytes left");
      }
      return (int) argument;
    }

    private static long toLong(long argument, int start) throws DecodingException {
      if (argument < 0) {
        throw new DecodingException("integer at offset " + start + " does not fit in 63 bits");
      }
      return argument;
    }

    private static String utf8(byte[] bytes, int start) throws DecodingException {
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes))
            .toString();
      } catch (CharacterCodingException e) {
        throw new DecodingException("text string at offset " + start + " is not valid UTF-8");
      }
    }

    private int u8() throws DecodingException {
      if (position >= in.length) {
        throw new DecodingException("truncated at offset " + position);
      }
      return in[position++] & 0xff;
    }

    private long bigEndian(int n) throws DecodingException {
      long value = 0;
      for (int i = 0; i < n; i++) {
        value = (value << 8) | u8();
      }
      return value;
    }

    private byte[] take(int n) {
      byte[] out = Arrays.copyOfRange(in, position, position + n);
      position += n;
      return out;
    }
  }
}
