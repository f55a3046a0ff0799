package dev.keep.enclave.policy;

import static dev.keep.enclave.policy.PolicyFixtures.NOON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MemoryCounters: windows exclude their start, charges are idempotent, old ones are pruned. */
class PolicyCountersTest {
  private static final Duration HOUR = Duration.ofHours(1);

  @Test
  void aWindowHoldsChargesStrictlyAfterItsStart() {
    MemoryCounters c = new MemoryCounters(HOUR);
    c.charge("a", NOON, 100);
    c.charge("b", NOON.plusSeconds(1), 10);
    assertEquals(2, c.count(NOON.minusNanos(1), "x"));
    assertEquals(110, c.amount(NOON.minusNanos(1), "x"));
    assertEquals(1, c.count(NOON, "x"), "a charge exactly at the start is outside");
    assertEquals(10, c.amount(NOON, "x"));
    assertEquals(0, c.count(NOON.plusSeconds(1), "x"));
  }

  @Test
  void aJobsOwnChargeCanBeLeftOut() {
    MemoryCounters c = new MemoryCounters(HOUR);
    c.charge("a", NOON, 100);
    c.charge("b", NOON, 10);
    assertEquals(1, c.count(NOON.minus(HOUR), "a"));
    assertEquals(10, c.amount(NOON.minus(HOUR), "a"));
  }

  @Test
  void chargingAJobAgainKeepsTheFirstEntry() {
    MemoryCounters c = new MemoryCounters(HOUR);
    c.charge("a", NOON, 100);
    c.charge("a", NOON.plusSeconds(5), 999);
    assertTrue(c.isCharged("a"));
    assertFalse(c.isCharged("b"));
    assertEquals(List.of(new Charge("a", NOON, 100)), c.charges());
  }

  @Test
  void chargesOlderThanTheHorizonArePruned() {
    MemoryCounters c = new MemoryCounters(HOUR);
    c.charge("old", NOON, 1);
    c.charge("edge", NOON.plus(HOUR), 1); // "old" is exactly one horizon back: kept
    assertTrue(c.isCharged("old"));
    c.charge("later", NOON.plus(HOUR).plusSeconds(1), 1);
    assertFalse(c.isCharged("old"), "no window can count it any more");
    assertEquals(List.of("edge", "later"), c.charges().stream().map(Charge::jobId).toList());
    c.prune(NOON.plus(Duration.ofHours(3)));
    assertEquals(List.of(), c.charges());
  }

  @Test
  void horizonIsThePolicysLongestWindow() {
    Policy p =
        PolicyFixtures.rule(
            """
            {"id":"root","all":[{"id":"a","type":"max_count","window":"1h","count":1},
              {"id":"b","not":{"id":"c","type":"velocity","window":"7d","sats":1}}]}
            """);
    MemoryCounters c = MemoryCounters.forPolicy(p);
    c.charge("week-old", NOON, 1);
    c.charge("now", NOON.plus(Duration.ofDays(7)), 1);
    assertTrue(c.isCharged("week-old"));
    c.charge("after", NOON.plus(Duration.ofDays(7)).plusSeconds(1), 1);
    assertFalse(c.isCharged("week-old"));
  }

  @Test
  void chargesExportAndRestoreOldestFirst() {
    MemoryCounters c = new MemoryCounters(HOUR);
    c.charge("b", NOON.plusSeconds(2), 20);
    c.charge("a", NOON.plusSeconds(1), 10);
    c.charge("c", NOON.plusSeconds(1), 30);
    List<Charge> exported = c.charges();
    assertEquals(List.of("a", "c", "b"), exported.stream().map(Charge::jobId).toList());
    MemoryCounters restored = MemoryCounters.restore(HOUR, exported);
    assertEquals(exported, restored.charges());
    assertEquals(60, restored.amount(NOON, "x"));
    assertTrue(restored.isCharged("c"));
  }

  @Test
  void restoreRefusesOneJobWithTwoCharges() {
    Charge a = new Charge("a", NOON, 1);
    assertEquals(List.of(a), MemoryCounters.restore(HOUR, List.of(a, a)).charges());
    assertThrows(
        IllegalArgumentException.class,
        () -> MemoryCounters.restore(HOUR, List.of(a, new Charge("a", NOON, 2))));
  }

  @Test
  void amountsSaturateRatherThanWrap() {
    MemoryCounters c = new MemoryCounters(HOUR);
    c.charge("a", NOON, Long.MAX_VALUE);
    c.charge("b", NOON, 1);
    assertEquals(Long.MAX_VALUE, c.amount(NOON.minusSeconds(1), "x"));
  }

  @Test
  void chargesAreChecked() {
    Instant t = NOON;
    assertThrows(IllegalArgumentException.class, () -> new Charge("", t, 0));
    assertThrows(IllegalArgumentException.class, () -> new Charge("a", null, 0));
    assertThrows(IllegalArgumentException.class, () -> new Charge("a", t, -1));
    assertThrows(IllegalArgumentException.class, () -> new MemoryCounters(Duration.ofSeconds(-1)));
  }
}
