package dev.keep.enclave.nostr;

import static dev.keep.enclave.nostr.NostrTestEvents.GOLDEN;
import static dev.keep.enclave.nostr.NostrTestEvents.GOLDEN_LENGTH;
import static dev.keep.enclave.nostr.NostrTestEvents.GOLDEN_SERIALIZATION;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.encoding.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EventSerializerTest {
  @Test
  void goldenEventSerializesToTheHandWrittenBytes() {
    byte[] bytes = EventSerializer.serialize(GOLDEN);
    assertEquals(GOLDEN_SERIALIZATION, new String(bytes, StandardCharsets.UTF_8));
    assertArrayEquals(GOLDEN_SERIALIZATION.getBytes(StandardCharsets.UTF_8), bytes);
    assertEquals(GOLDEN_LENGTH, bytes.length);
  }

  record Case(String name, String input, String expectedHex) {}

  /** NIP-01's seven escapes, and characters it says to write verbatim, as UTF-8 hex. */
  static final List<Case> CASES =
      List.of(
          new Case("line feed", "\n", "5c6e"),
          new Case("double quote", "\"", "5c22"),
          new Case("backslash", "\\", "5c5c"),
          new Case("carriage return", "\r", "5c72"),
          new Case("tab", "\t", "5c74"),
          new Case("backspace", "\b", "5c62"),
          new Case("form feed", "\f", "5c66"),
          new Case("U+0000 verbatim", "\0", "00"),
          new Case("U+0001 verbatim", "\u0001", "01"),
          new Case("U+000B vertical tab verbatim", "\u000b", "0b"),
          new Case("U+001F verbatim", "\u001f", "1f"),
          new Case("DEL verbatim", "\u007f", "7f"),
          new Case("slash verbatim", "/", "2f"),
          new Case("U+0080 as UTF-8", "\u0080", "c280"),
          new Case("e acute as UTF-8", "\u00e9", "c3a9"),
          new Case("U+07FF as UTF-8", "\u07ff", "dfbf"),
          new Case("U+0800 as UTF-8", "\u0800", "e0a080"),
          new Case("U+2028 verbatim", "\u2028", "e280a8"),
          new Case("U+FEFF verbatim", "\ufeff", "efbbbf"),
          new Case("U+FFFF as UTF-8", "\uffff", "efbfbf"),
          new Case("U+10000 as UTF-8", "\uD800\uDC00", "f0908080"),
          new Case("emoji as UTF-8", "\uD83C\uDF89", "f09f8e89"),
          new Case("U+10FFFF as UTF-8", "\uDBFF\uDFFF", "f48fbfbf"));

  @Test
  void eachCharacterIsEscapedOrVerbatimAsNip01Says() {
    List<String> failures = new ArrayList<>();
    for (Case c : CASES) {
      String quoted = "22" + c.expectedHex() + "22";
      String content = Hex.encode(EventSerializer.serialize(NostrTestEvents.withContent(c.input())));
      if (!content.endsWith("2c" + quoted + "5d")) {
        failures.add(c.name() + " in content: " + content);
      }
      UnsignedEvent tagged =
          new UnsignedEvent(NostrTestEvents.pubkey(), 0, 0, List.of(List.of(c.input())), "");
      String tag = Hex.encode(EventSerializer.serialize(tagged));
      if (!tag.contains("5b5b" + quoted + "5d5d")) {
        failures.add(c.name() + " in a tag: " + tag);
      }
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void emptyTagsAndContent() {
    UnsignedEvent event = new UnsignedEvent(NostrTestEvents.pubkey(), 0, 0, List.of(), "");
    assertEquals(
        "[0,\"" + NostrTestEvents.PUBKEY + "\",0,0,[],\"\"]",
        new String(EventSerializer.serialize(event), StandardCharsets.UTF_8));
  }

  /**
   * Where NIP-01 and JSON agree (no control characters other than the seven NIP-01 escapes), the
   * output must equal Jackson's compact JSON of the same array.
   */
  @Test
  void matchesJacksonWhereNip01AndJsonAgree() throws JsonProcessingException {
    long seed = 1403L;
    Random random = new Random(seed);
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      List<List<String>> tags = new ArrayList<>();
      for (int t = random.nextInt(4); t > 0; t--) {
        List<String> tag = new ArrayList<>();
        for (int e = 1 + random.nextInt(3); e > 0; e--) {
          tag.add(randomText(random));
        }
        tags.add(tag);
      }
      UnsignedEvent event =
          new UnsignedEvent(
              NostrTestEvents.pubkey(),
              random.nextLong(UnsignedEvent.MAX_CREATED_AT + 1),
              random.nextInt(UnsignedEvent.MAX_KIND + 1),
              tags,
              randomText(random));
      // Through a String: Jackson's byte output writes characters outside the BMP as two
      // six-character surrogate escapes (unless COMBINE_UNICODE_SURROGATES_IN_UTF8), where NIP-01
      // wants their four UTF-8 bytes.
      List<Object> array =
          List.of(0, event.pubkey().toHex(), event.createdAt(), event.kind(), event.tags(), event.content());
      byte[] expected = Json.MAPPER.writeValueAsString(array).getBytes(StandardCharsets.UTF_8);
      byte[] actual = EventSerializer.serialize(event);
      int at = Arrays.mismatch(expected, actual);
      if (at >= 0 && failures.size() < 3) {
        int from = Math.max(0, at - 8);
        failures.add("byte " + at + ": Jackson "
            + Hex.encode(Arrays.copyOfRange(expected, from, Math.min(expected.length, at + 8)))
            + ", ours " + Hex.encode(Arrays.copyOfRange(actual, from, Math.min(actual.length, at + 8))));
      }
    }
    assertEquals(List.of(), failures, "seed " + seed);
  }

  private static final int[] ESCAPED = {'\n', '"', '\\', '\r', '\t', '\b', '\f'};

  /** Printable ASCII, NIP-01's escaped characters, and code points from every UTF-8 length. */
  private static String randomText(Random random) {
    StringBuilder out = new StringBuilder();
    for (int n = random.nextInt(20); n > 0; n--) {
      int cp =
          switch (random.nextInt(5)) {
            case 0 -> ESCAPED[random.nextInt(ESCAPED.length)];
            case 1 -> 0x20 + random.nextInt(0x5f);
            case 2 -> 0x80 + random.nextInt(0x800 - 0x80);
            case 3 -> {
              int c = 0x800 + random.nextInt(0x10000 - 0x800);
              yield Character.isSurrogate((char) c) ? 'x' : c;
            }
            default -> 0x10000 + random.nextInt(0x110000 - 0x10000);
          };
      out.appendCodePoint(cp);
    }
    return out.toString();
  }
}
