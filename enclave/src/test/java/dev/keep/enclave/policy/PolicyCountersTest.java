package dev.keep.enclave.policy;

import static dev.keep.enclave.policy.PolicyFixtures.NOON;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** BucketCounters: windows, the size of the state whatever the history, and its encoding. */
class PolicyCountersTest {
  private static final Duration MINUTE = Duration.ofMinutes(1);
  private static final Duration HOUR = Duration.ofHours(1);
  private static final Duration DAY = Duration.ofDays(1);

  @Test
  void aWindowCountsItsCharges_andForgetsThemAfterAtMostOneBucketMore() {
    BucketCounters c = new BucketCounters();
    c.charge(NOON, 100);
    c.charge(NOON.plusSeconds(30), 10);
    assertEquals(2, c.count(NOON.plusSeconds(30), HOUR));
    assertEquals(110, c.amount(NOON.plusSeconds(30), HOUR));
    // A charge counts for the whole window...
    assertEquals(2, c.count(NOON.plus(HOUR).minusSeconds(1), HOUR));
    // ...and at most one bucket (a minute, for 1h) longer: never shorter.
    assertEquals(0, c.count(NOON.plus(HOUR).plusSeconds(90), HOUR));
    assertEquals(0, c.amount(NOON.plus(HOUR).plusSeconds(90), HOUR));
  }

  @Test
  void eachNamedWindowIsAnsweredAtItsResolution() {
    assertEquals(0, BucketCounters.levelFor(MINUTE));
    assertEquals(1, BucketCounters.levelFor(HOUR));
    assertEquals(2, BucketCounters.levelFor(DAY));
    assertEquals(3, BucketCounters.levelFor(Duration.ofDays(7)));
    assertEquals(5, BucketCounters.levelFor(Duration.ofSeconds(Window.MAX_SECONDS)));
  }

  @Test
  void aChargeDatedAfterNow_counts() {
    BucketCounters c = new BucketCounters();
    c.charge(NOON.plus(HOUR), 5); // a clock that stepped back since
    assertEquals(1, c.count(NOON, MINUTE));
    assertEquals(5, c.amount(NOON, DAY));
  }

  @Test
  void aChargeOlderThanALevelKeeps_goesIntoItsOldestBucket_soItCountsLonger_notShorter() {
    BucketCounters c = new BucketCounters();
    c.charge(NOON, 1);
    c.charge(NOON.minus(Duration.ofMinutes(10)), 7); // older than the 2-second level's 128 s
    Duration longest = Duration.ofSeconds(126); // the longest window the 2-second level answers
    assertEquals(2, c.count(NOON, longest), "counted as if 126 s old: longer than it should, never shorter");
    assertEquals(8, c.amount(NOON, longest));
    assertEquals(1, c.count(NOON, MINUTE));
  }

  @Test
  void theStateHasAFixedUpperSize_howeverManyCharges() {
    BucketCounters c = new BucketCounters();
    int empty = c.encode().length;
    Instant t = NOON;
    for (int i = 0; i < 100_000; i++) {
      t = t.plusSeconds(37);
      c.charge(t, 2_100_000_000_000_000L);
    }
    int full = c.encode().length;
    assertTrue(empty < 1_024, "an empty state: " + empty);
    assertTrue(full <= 1 + 6 * 10 + 316 * 19, "a busy state: " + full);
    assertEquals(100_000, c.count(t, Duration.ofSeconds(Window.MAX_SECONDS)));
    assertEquals(Long.MAX_VALUE, c.amount(t, Duration.ofSeconds(Window.MAX_SECONDS)), "sums saturate");
  }

  @Test
  void encodingRoundTrips_andRefusesWhatItDidNotWrite() {
    BucketCounters c = new BucketCounters();
    c.charge(NOON, 1_000);
    c.charge(NOON.plus(Duration.ofDays(3)), 2_000);
    byte[] bytes = c.encode();
    BucketCounters back = BucketCounters.decode(bytes);
    assertArrayEquals(bytes, back.encode());
    assertEquals(c.amount(NOON.plus(Duration.ofDays(3)), Duration.ofDays(7)),
        back.amount(NOON.plus(Duration.ofDays(3)), Duration.ofDays(7)));
    assertThrows(IllegalArgumentException.class, () -> BucketCounters.decode(new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> BucketCounters.decode(new byte[] {9}));
    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 1);
    assertThrows(IllegalArgumentException.class, () -> BucketCounters.decode(truncated));
    byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1);
    assertThrows(IllegalArgumentException.class, () -> BucketCounters.decode(longer));
  }

  @Test
  void negativeAmountsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new BucketCounters().charge(NOON, -1));
  }
}
