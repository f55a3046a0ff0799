package dev.keep.enclave.nostr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keep.schema.encoding.Hex;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventIdTest {
  @Test
  void goldenIdIsTheSha256ComputedOutsideJava() {
    EventId id = EventId.of(NostrTestEvents.GOLDEN);
    assertEquals(NostrTestEvents.GOLDEN_ID, id.toHex());
    assertEquals(NostrTestEvents.GOLDEN_ID, id.toString());
    assertArrayEquals(Hex.decode("id", NostrTestEvents.GOLDEN_ID), id.toBytes());
  }

  /** Events signed by other software and published; their ids are the public record. */
  @Test
  void realEventsGetTheirPublishedIds() {
    JsonNode events = NostrFixtures.read("real-events.json").get("events");
    List<String> failures = new ArrayList<>();
    for (JsonNode published : events) {
      ObjectNode fields = published.deepCopy();
      String expected = fields.remove("id").textValue();
      fields.remove("sig");
      String actual = EventId.of(UnsignedEvent.fromJson(fields)).toHex();
      if (!expected.equals(actual)) {
        failures.add(expected + ": computed " + actual);
      }
    }
    assertEquals(2, events.size());
    assertEquals(List.of(), failures);
  }

  @Test
  void anyFieldChangesTheId() {
    UnsignedEvent g = NostrTestEvents.GOLDEN;
    EventId id = EventId.of(g);
    List<UnsignedEvent> changed =
        List.of(
            new UnsignedEvent(g.pubkey(), g.createdAt() + 1, g.kind(), g.tags(), g.content()),
            new UnsignedEvent(g.pubkey(), g.createdAt(), g.kind() + 1, g.tags(), g.content()),
            new UnsignedEvent(g.pubkey(), g.createdAt(), g.kind(), g.tags().subList(0, 1), g.content()),
            new UnsignedEvent(g.pubkey(), g.createdAt(), g.kind(), g.tags(), g.content() + " "));
    for (UnsignedEvent e : changed) {
      assertNotEquals(id, EventId.of(e));
    }
    assertEquals(id, EventId.of(g));
    assertEquals(id.hashCode(), EventId.of(g).hashCode());
  }
}
