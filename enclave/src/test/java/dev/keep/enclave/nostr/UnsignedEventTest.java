package dev.keep.enclave.nostr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.schema.encoding.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class UnsignedEventTest {
  private static final XOnlyPublicKey PK = NostrTestEvents.pubkey();

  private static ObjectNode valid() {
    ObjectNode event = Json.MAPPER.createObjectNode();
    event.put("pubkey", NostrTestEvents.PUBKEY);
    event.put("created_at", 1700000000L);
    event.put("kind", 1);
    event.putArray("tags").addArray().add("e").add("x");
    event.put("content", "hi");
    return event;
  }

  @Test
  void validEventIsRead() {
    UnsignedEvent event = UnsignedEvent.fromJson(valid());
    assertEquals(new UnsignedEvent(PK, 1700000000L, 1, List.of(List.of("e", "x")), "hi"), event);
  }

  @Test
  void everyRejectionVectorFailsWithItsMessage() {
    JsonNode fixture = NostrFixtures.read("unsigned-event-rejections.json");
    List<String> failures = new ArrayList<>();
    int run = 0;
    for (JsonNode c : fixture.get("cases")) {
      run++;
      expectRejection(failures, c, () -> UnsignedEvent.fromJson(c.get("event")));
    }
    for (JsonNode c : fixture.get("floatsAndSurrogates")) {
      run++;
      expectRejection(failures, c, () -> UnsignedEvent.parse(c.get("json").textValue()));
    }
    assertEquals(46, run, "every case in the fixture ran");
    assertEquals(List.of(), failures);
  }

  private static void expectRejection(List<String> failures, JsonNode c, Supplier<UnsignedEvent> read) {
    String name = c.get("name").textValue();
    String expected = c.get("error").textValue();
    try {
      read.get();
      failures.add(name + ": accepted");
    } catch (InvalidEventException e) {
      if (!e.getMessage().equals(expected)) {
        failures.add(name + ": \"" + e.getMessage() + "\", expected \"" + expected + "\"");
      } else if (!expected.startsWith(e.path() + ": ")) {
        failures.add(name + ": path " + e.path());
      }
    }
  }

  record Limit(String name, Supplier<UnsignedEvent> make, String error) {}

  @Test
  void limitsAreEnforced() {
    String kib64 = "x".repeat(UnsignedEvent.MAX_CONTENT_BYTES);
    List<Limit> limits =
        List.of(
            new Limit("content one byte too long", () -> content(kib64 + "x"),
                "event.content: longer than 65536 bytes of UTF-8"),
            new Limit("content counted in UTF-8 bytes, not chars",
                () -> content("\u00e9".repeat(UnsignedEvent.MAX_CONTENT_BYTES / 2 + 1)),
                "event.content: longer than 65536 bytes of UTF-8"),
            new Limit("2001 tags", () -> tags(Collections.nCopies(2001, List.of("t"))),
                "event.tags: more than 2000 tags"),
            new Limit("101 elements in a tag",
                () -> tags(List.of(List.of("t"), Collections.nCopies(101, "x"))),
                "event.tags[1]: more than 100 elements"),
            new Limit("serialization over 256 KiB: escaping doubles quotes",
                () -> new UnsignedEvent(PK, 0, 1,
                    List.of(List.of("t", "\"".repeat(65536)), List.of("t", "\\".repeat(65536))),
                    "\n".repeat(UnsignedEvent.MAX_CONTENT_BYTES)),
                "event: NIP-01 serialization is larger than 262144 bytes"),
            new Limit("null pubkey", () -> new UnsignedEvent(null, 0, 1, List.of(), ""),
                "event.pubkey: missing"),
            new Limit("null tags", () -> tags(null), "event.tags: must be an array"),
            new Limit("null tag", () -> tags(Collections.singletonList(null)),
                "event.tags[0]: must be an array"),
            new Limit("null tag element", () -> tags(List.of(List.of("t"), java.util.Arrays.asList("e", null))),
                "event.tags[1][1]: must be a string"),
            new Limit("null content", () -> content(null), "event.content: must be a string"),
            new Limit("unpaired surrogate, constructed directly", () -> content("\uD83C"),
                "event.content: unpaired UTF-16 surrogate at index 0 (not encodable as UTF-8)"));
    List<String> failures = new ArrayList<>();
    for (Limit l : limits) {
      try {
        l.make().get();
        failures.add(l.name() + ": accepted");
      } catch (InvalidEventException e) {
        if (!e.getMessage().equals(l.error())) {
          failures.add(l.name() + ": " + e.getMessage());
        }
      }
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void boundariesAreAccepted() {
    content("x".repeat(UnsignedEvent.MAX_CONTENT_BYTES));
    content("\0\u0001\u001f\u007f");
    content("");
    tags(Collections.nCopies(UnsignedEvent.MAX_TAGS, List.of("t")));
    tags(List.of(Collections.nCopies(UnsignedEvent.MAX_TAG_ELEMENTS, "x")));
    tags(List.of(List.of("")));
    new UnsignedEvent(PK, 0, 0, List.of(), "");
    new UnsignedEvent(PK, UnsignedEvent.MAX_CREATED_AT, UnsignedEvent.MAX_KIND, List.of(), "");
    ObjectNode big = valid();
    big.put("created_at", 9007199254740991L);
    big.put("kind", 65535);
    assertEquals(9007199254740991L, UnsignedEvent.fromJson(big).createdAt());
  }

  @Test
  void largestAllowedSerializationIsAccepted() {
    // Escaped content of 128 KiB plus tags that fill the rest to exactly 262144 bytes.
    UnsignedEvent probe = new UnsignedEvent(PK, 0, 1, List.of(List.of("t", "")), "\n".repeat(65536));
    int room = UnsignedEvent.MAX_SERIALIZED_BYTES - EventSerializer.serialize(probe).length;
    UnsignedEvent full = new UnsignedEvent(PK, 0, 1, List.of(List.of("t", "x".repeat(room))), "\n".repeat(65536));
    assertEquals(UnsignedEvent.MAX_SERIALIZED_BYTES, EventSerializer.serialize(full).length);
    assertThrows(InvalidEventException.class,
        () -> new UnsignedEvent(PK, 0, 1, List.of(List.of("t", "x".repeat(room + 1))), "\n".repeat(65536)));
  }

  @Test
  void parseRefusesDuplicateKeysAndTrailingText() {
    String good = Json.write(valid());
    assertEquals(UnsignedEvent.fromJson(valid()), UnsignedEvent.parse(good));
    String duplicate = good.replace("\"content\":\"hi\"", "\"content\":\"hi\",\"content\":\"bye\"");
    InvalidEventException e = assertThrows(InvalidEventException.class, () -> UnsignedEvent.parse(duplicate));
    assertTrue(e.getMessage().startsWith("event: not valid JSON at line 1, column "), e.getMessage());
    assertThrows(InvalidEventException.class, () -> UnsignedEvent.parse(good + " {}"));
    assertThrows(InvalidEventException.class, () -> UnsignedEvent.parse("{\"pubkey\":"));
  }

  @Test
  void parseErrorsDoNotQuoteTheInput() {
    InvalidEventException e =
        assertThrows(InvalidEventException.class, () -> UnsignedEvent.parse("{\"content\": secretword}"));
    assertTrue(!e.getMessage().contains("secretword"), e.getMessage());
  }

  @Test
  void unknownFieldNamesArePrintedSafely() {
    ObjectNode event = valid();
    event.put("bad\nname\u0001" + "y".repeat(100), 1);
    InvalidEventException e = assertThrows(InvalidEventException.class, () -> UnsignedEvent.fromJson(event));
    assertEquals("event.bad?name?" + "y".repeat(55) + "...: unknown field", e.getMessage());
  }

  @Test
  void tagsFromJsonKeepTheirOrder() {
    ObjectNode event = valid();
    ArrayNode tags = event.putArray("tags");
    tags.addArray().add("b").add("2");
    tags.addArray().add("a").add("1");
    assertEquals(List.of(List.of("b", "2"), List.of("a", "1")), UnsignedEvent.fromJson(event).tags());
  }

  private static UnsignedEvent content(String content) {
    return new UnsignedEvent(PK, 0, 1, List.of(), content);
  }

  private static UnsignedEvent tags(List<List<String>> tags) {
    return new UnsignedEvent(PK, 0, 1, tags, "");
  }
}
