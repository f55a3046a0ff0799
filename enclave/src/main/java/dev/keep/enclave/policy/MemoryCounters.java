package dev.keep.enclave.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
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

  /**
   * Live charges are {@code ordered[first..size)}, oldest first; {@code sums[i]} is the sats of
   * {@code ordered[0..i)}, saturating. Windows are answered by a binary search and a difference
   * of sums, so a query costs O(log n) however many signatures the key made in its windows.
   */
  private final ArrayList<Charge> ordered = new ArrayList<>();

  private long[] sums = new long[16];
  private int first;

  public MemoryCounters(Duration horizon) {
    if (horizon == null || horizon.isNegative()) {
      throw new IllegalArgumentException("horizon must be zero or positive");
    }
    this.horizon = horizon;
  }

  /** How long charges are kept after the latest one. */
  public Duration horizon() {
    return horizon;
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
      Charge earlier = counters.byJob.get(c.jobId());
      if (earlier != null && !earlier.equals(c)) {
        throw new IllegalArgumentException("job " + c.jobId() + " has two different charges");
      }
      if (earlier == null) {
        counters.insert(c);
      }
    }
    return counters;
  }

  @Override
  public synchronized long count(Instant since, String excludingJobId) {
    long n = ordered.size() - firstAfter(since);
    return excluded(since, excludingJobId) ? n - 1 : n;
  }

  @Override
  public synchronized long amount(Instant since, String excludingJobId) {
    int from = firstAfter(since);
    long total;
    if (sums[ordered.size()] == Long.MAX_VALUE) {
      total = 0; // the sums saturated: add the window up one by one
      for (int k = from; k < ordered.size(); k++) {
        total = saturatedAdd(total, ordered.get(k).sats());
      }
    } else {
      total = sums[ordered.size()] - sums[from];
    }
    return excluded(since, excludingJobId) ? total - byJob.get(excludingJobId).sats() : total;
  }

  @Override
  public synchronized boolean isCharged(String jobId) {
    return byJob.containsKey(jobId);
  }

  @Override
  public synchronized void charge(String jobId, Instant at, long sats) {
    if (!byJob.containsKey(jobId)) {
      insert(new Charge(jobId, at, sats));
    }
    prune(at);
  }

  /** Drops charges made more than the horizon before {@code now}. */
  public synchronized void prune(Instant now) {
    Instant cutoff = now.minus(horizon);
    while (first < ordered.size() && ordered.get(first).at().isBefore(cutoff)) {
      byJob.remove(ordered.get(first).jobId());
      first++;
    }
    if (first > 0 && first * 2 >= ordered.size()) {
      ordered.subList(0, first).clear(); // compact once at least half is dead
      first = 0;
      rebuildSums(0);
    }
  }

  /** Every remembered charge, oldest first, for a later issue to persist. */
  public synchronized List<Charge> charges() {
    return List.copyOf(ordered.subList(first, ordered.size()));
  }

  private void insert(Charge c) {
    byJob.put(c.jobId(), c);
    int at = ordered.size();
    // Charges nearly always arrive in time order; search only when one does not.
    if (at > first && ORDER.compare(ordered.get(at - 1), c) > 0) {
      at = Collections.binarySearch(ordered.subList(first, ordered.size()), c, ORDER);
      at = first + (at < 0 ? -at - 1 : at);
    }
    ordered.add(at, c);
    rebuildSums(at);
  }

  /** Recomputes {@code sums} from index {@code from} on (from the end, an append is O(1)). */
  private void rebuildSums(int from) {
    if (sums.length < ordered.size() + 1) {
      sums = Arrays.copyOf(sums, Math.max(sums.length * 2, ordered.size() + 1));
    }
    for (int k = from; k < ordered.size(); k++) {
      sums[k + 1] = saturatedAdd(sums[k], ordered.get(k).sats());
    }
  }

  /** The first live index whose charge is strictly after {@code since}. */
  private int firstAfter(Instant since) {
    int lo = first;
    int hi = ordered.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (ordered.get(mid).at().isAfter(since)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  private boolean excluded(Instant since, String jobId) {
    Charge own = jobId == null ? null : byJob.get(jobId);
    return own != null && own.at().isAfter(since);
  }

  private static final Comparator<Charge> ORDER =
      Comparator.comparing(Charge::at).thenComparing(Charge::jobId);

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum; // both are non-negative
  }
}
