package dev.keep.enclave.nostr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keep.enclave.signing.SchnorrSignature;
import dev.keep.schema.encoding.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SignedEventTest {
  /** Not a valid signature: nothing here verifies one, and the tests must not suggest otherwise. */
  private static final SchnorrSignature SIG = SchnorrSignature.of(new byte[64]);

  @Test
  void ofComputesTheId() {
    SignedEvent signed = SignedEvent.of(NostrTestEvents.GOLDEN, SIG);
    assertEquals(NostrTestEvents.GOLDEN_ID, signed.id().toHex());
    assertEquals(NostrTestEvents.GOLDEN, signed.unsigned());
  }

  @Test
  void toJsonHasTheConventionalFieldOrder() {
    ObjectNode json = SignedEvent.of(NostrTestEvents.GOLDEN, SIG).toJson();
    List<String> names = new ArrayList<>();
    json.fieldNames().forEachRemaining(names::add);
    assertEquals(List.of("id", "pubkey", "created_at", "kind", "tags", "content", "sig"), names);
    assertEquals(NostrTestEvents.GOLDEN_ID, json.get("id").textValue());
    assertEquals(NostrTestEvents.PUBKEY, json.get("pubkey").textValue());
    assertEquals(1700000000L, json.get("created_at").longValue());
    assertEquals(1, json.get("kind").intValue());
    assertEquals(NostrTestEvents.GOLDEN.content(), json.get("content").textValue());
    assertEquals("0".repeat(128), json.get("sig").textValue());
  }

  @Test
  void smallEventJsonIsPinned() {
    UnsignedEvent event =
        new UnsignedEvent(NostrTestEvents.pubkey(), 1, 7, List.of(List.of("p", "x")), "+");
    String id = EventId.of(event).toHex();
    assertEquals(
        "{\"id\":\"" + id + "\",\"pubkey\":\"" + NostrTestEvents.PUBKEY
            + "\",\"created_at\":1,\"kind\":7,\"tags\":[[\"p\",\"x\"]],\"content\":\"+\",\"sig\":\""
            + "0".repeat(128) + "\"}",
        Json.write(SignedEvent.of(event, SIG).toJson()));
  }

  /**
   * The wire JSON escapes U+0001 as JSON requires; read back, the strings are the same and so is
   * the id, which is defined over the NIP-01 serialization, not over the wire text.
   */
  @Test
  void wireJsonReadsBackToTheSameId() throws Exception {
    String wire = Json.write(SignedEvent.of(NostrTestEvents.GOLDEN, SIG).toJson());
    ObjectNode back = (ObjectNode) Json.MAPPER.readTree(wire);
    String id = back.remove("id").textValue();
    back.remove("sig");
    assertEquals(NostrTestEvents.GOLDEN_ID, id);
    assertEquals(NostrTestEvents.GOLDEN_ID, EventId.of(UnsignedEvent.fromJson(back)).toHex());
  }

  @Test
  void anIdThatDoesNotMatchIsRefused() {
    UnsignedEvent g = NostrTestEvents.GOLDEN;
    EventId other = EventId.of(NostrTestEvents.withContent("other"));
    InvalidEventException e =
        assertThrows(
            InvalidEventException.class,
            () -> new SignedEvent(other, g.pubkey(), g.createdAt(), g.kind(), g.tags(), g.content(), SIG));
    assertEquals("event.id: does not match the NIP-01 serialization", e.getMessage());
  }

  @Test
  void fieldsAreCheckedAsForAnUnsignedEvent() {
    UnsignedEvent g = NostrTestEvents.GOLDEN;
    EventId id = EventId.of(g);
    InvalidEventException e =
        assertThrows(
            InvalidEventException.class,
            () -> new SignedEvent(id, g.pubkey(), g.createdAt(), 70000, g.tags(), g.content(), SIG));
    assertEquals("event.kind: must be between 0 and 65535", e.getMessage());
    assertThrows(
        InvalidEventException.class,
        () -> new SignedEvent(id, g.pubkey(), g.createdAt(), g.kind(), g.tags(), g.content(), null));
  }

  @Test
  void tagsAreImmutable() {
    List<List<String>> tags = new ArrayList<>();
    tags.add(new ArrayList<>(List.of("t", "a")));
    UnsignedEvent event = new UnsignedEvent(NostrTestEvents.pubkey(), 0, 1, tags, "");
    tags.get(0).set(1, "b");
    assertEquals("a", event.tags().get(0).get(1));
    JsonNode json = SignedEvent.of(event, SIG).toJson();
    assertEquals("a", json.get("tags").get(0).get(1).textValue());
    assertThrows(UnsupportedOperationException.class, () -> event.tags().get(0).set(0, "x"));
  }
}
