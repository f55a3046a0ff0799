package dev.keep.schema.tables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SortableInstantTest {
  @Test
  void stringOrderIsTimeOrder_evenOnAWholeSecond() {
    Instant whole = Instant.parse("2026-12-02T12:00:00Z");
    Instant half = whole.plusMillis(500);
    assertTrue(whole.toString().compareTo(half.toString()) > 0, "the bug this class exists for");
    assertTrue(SortableInstant.of(whole).compareTo(SortableInstant.of(half)) < 0);
    assertEquals("2026-12-02T12:00:00.000000000Z", SortableInstant.of(whole));
    assertEquals(whole, Instant.parse(SortableInstant.of(whole)));
  }
}
