package dev.keep.enclave.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * BucketCounters against the plain definition on random histories (charges mostly in order,
 * sometimes a little in the past; windows of every resolution). The bucketed answer must never be
 * below the exact one, which would let a limit be exceeded, and never above what the charges of
 * one more bucket width could make it.
 */
class PolicyCountersModelTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final long[] WINDOWS = {1, 60, 90, 3_600, 7_200, 86_400, 604_800, 2_592_000, 31_536_000};

  private record Charge(Instant at, long sats) {}

  @Test
  void bucketsNeverCountLessThanTheWindow_andAtMostOneBucketMore() {
    List<String> failures = new ArrayList<>();
    for (long seed = 1; seed <= 20; seed++) {
      Random random = new Random(seed);
      BucketCounters counters = new BucketCounters();
      List<Charge> model = new ArrayList<>();
      Instant clock = T0;
      long step = new long[] {1, 30, 600, 20_000}[random.nextInt(4)];
      for (int i = 0; i < 800 && failures.size() < 10; i++) {
        clock = clock.plusSeconds(random.nextLong(step + 1));
        Instant at = random.nextInt(20) == 0 ? clock.minusSeconds(random.nextLong(step * 3 + 1)) : clock;
        long sats = random.nextInt(5) == 0 ? 0 : random.nextLong(1_000_000);
        counters.charge(at, sats);
        model.add(new Charge(at, sats));
        long window = WINDOWS[random.nextInt(WINDOWS.length)];
        Duration w = Duration.ofSeconds(window);
        long width = BucketCounters.LEVELS.get(BucketCounters.levelFor(w)).width();
        Instant start = clock.minus(w);
        Instant slack = start.minusSeconds(width);
        long exactCount = model.stream().filter(c -> c.at().isAfter(start)).count();
        long exactSats = model.stream().filter(c -> c.at().isAfter(start)).mapToLong(Charge::sats).sum();
        long looseCount = model.stream().filter(c -> !c.at().isBefore(slack)).count();
        long looseSats = model.stream().filter(c -> !c.at().isBefore(slack)).mapToLong(Charge::sats).sum();
        long count = counters.count(clock, w);
        long amount = counters.amount(clock, w);
        if (count < exactCount || count > looseCount || amount < exactSats || amount > looseSats) {
          failures.add("seed " + seed + " charge " + i + " window " + window + "s: count " + count + " in ["
              + exactCount + ", " + looseCount + "], sats " + amount + " in [" + exactSats + ", " + looseSats + "]");
        }
      }
    }
    assertEquals(List.of(), failures);
  }
}
