package dev.keep.enclave.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * MemoryCounters answers windows with binary search and prefix sums; here it is checked against
 * the plain definition (sum over every live charge strictly after {@code since}) on random
 * histories: charges out of time order, repeated job ids, pruning, and the excluded job.
 */
class PolicyCountersModelTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void windowsMatchThePlainDefinition_onRandomHistories() {
    for (long seed = 1; seed <= 30; seed++) {
      Random random = new Random(seed);
      Duration horizon = Duration.ofSeconds(500 + random.nextInt(2_000));
      MemoryCounters counters = new MemoryCounters(horizon);
      List<Charge> model = new ArrayList<>();
      Instant clock = T0;
      for (int step = 0; step < 600; step++) {
        clock = clock.plusSeconds(random.nextInt(20));
        // Mostly in order, sometimes a little in the past; sometimes a job id seen before.
        Instant at = random.nextInt(10) == 0 ? clock.minusSeconds(random.nextInt(300)) : clock;
        String jobId = "job-" + (random.nextInt(8) == 0 && step > 0 ? random.nextInt(step) : step);
        long sats = random.nextInt(5) == 0 ? 0 : random.nextInt(1_000_000);
        counters.charge(jobId, at, sats);
        if (model.stream().noneMatch(c -> c.jobId().equals(jobId))) {
          model.add(new Charge(jobId, at, sats));
        }
        Instant cutoff = at.minus(horizon);
        model.removeIf(c -> c.at().isBefore(cutoff));
        Instant since = clock.minusSeconds(random.nextInt(3_000));
        String excluded = "job-" + random.nextInt(step + 1);
        long count = model.stream().filter(c -> c.at().isAfter(since) && !c.jobId().equals(excluded)).count();
        long amount = model.stream().filter(c -> c.at().isAfter(since) && !c.jobId().equals(excluded))
            .mapToLong(Charge::sats).sum();
        String where = "seed " + seed + " step " + step;
        assertEquals(count, counters.count(since, excluded), where);
        assertEquals(amount, counters.amount(since, excluded), where);
        assertEquals(model.size(), counters.charges().size(), where);
      }
    }
  }
}
