package dev.keep.enclave.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link Counters} in memory. Charges older than {@code horizon} before the latest charge are
 * dropped. A job id is remembered as long as its charge is, so the horizon is at least a day even
 * when the policy's longest window is a minute: a job delivered again after its charge was
 * dropped would be charged again, and a day is far past the queue's redelivery limit.
 */
public final class MemoryCounters implements Counters {
  private final Duration horizon;
  private final Map<String, Charge> byJob = new HashMap<>();

  public MemoryCounters(Duration horizon) {
    if (horizon == null || horizon.isNegative()) {
      throw new IllegalArgumentException("horizon must be zero or positive");
    }
    this.horizon = horizon;
  }

  /** How long a charge, and so its job id, is kept at least. */
  public static final Duration MIN_HORIZON = Duration.ofDays(1);

  /** Counters kept as long as {@code policy}'s longest window, and at least {@link #MIN_HORIZON}. */
  public static MemoryCounters forPolicy(Policy policy) {
    Duration longest = policy.longestWindow();
    return new MemoryCounters(longest.compareTo(MIN_HORIZON) > 0 ? longest : MIN_HORIZON);
  }

  /**
   * Counters holding {@code charges}, as {@link #charges()} exported them.
   *
   * @throws IllegalArgumentException when one job id has two different charges
   */
  public static MemoryCounters restore(Duration horizon, List<Charge> charges) {
    MemoryCounters counters = new MemoryCounters(horizon);
    for (Charge c : charges) {
      Charge earlier = counters.byJob.putIfAbsent(c.jobId(), c);
      if (earlier != null && !earlier.equals(c)) {
        throw new IllegalArgumentException("job " + c.jobId() + " has two different charges");
      }
    }
    return counters;
  }

  @Override
  public synchronized long count(Instant since, String excludingJobId) {
    return byJob.values().stream().filter(c -> counts(c, since, excludingJobId)).count();
  }

  @Override
  public synchronized long amount(Instant since, String excludingJobId) {
    long total = 0;
    for (Charge c : byJob.values()) {
      if (counts(c, since, excludingJobId)) {
        total = saturatedAdd(total, c.sats());
      }
    }
    return total;
  }

  @Override
  public synchronized boolean isCharged(String jobId) {
    return byJob.containsKey(jobId);
  }

  @Override
  public synchronized void charge(String jobId, Instant at, long sats) {
    Charge charge = new Charge(jobId, at, sats);
    byJob.putIfAbsent(jobId, charge);
    prune(at);
  }

  /** Drops charges made more than the horizon before {@code now}. */
  public synchronized void prune(Instant now) {
    Instant cutoff = now.minus(horizon);
    byJob.values().removeIf(c -> c.at().isBefore(cutoff));
  }

  /** Every remembered charge, oldest first, for a later issue to persist. */
  public synchronized List<Charge> charges() {
    return byJob.values().stream()
        .sorted(Comparator.comparing(Charge::at).thenComparing(Charge::jobId))
        .toList();
  }

  private static boolean counts(Charge c, Instant since, String excludingJobId) {
    return c.at().isAfter(since) && !c.jobId().equals(excludingJobId);
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum; // both are non-negative
  }
}
