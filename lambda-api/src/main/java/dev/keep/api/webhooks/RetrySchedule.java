package dev.keep.api.webhooks;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * When the attempts at one delivery are made: the Standard Webhooks specification's example
 * schedule ("Deliverability and reliability"): immediately, then 5 s, 5 min, 30 min, 2 h, 5 h,
 * 10 h, 14 h, 20 h and 24 h after the attempt before; ten attempts over 75 h 35 min 5 s. Tests run
 * the same code on a shorter schedule.
 */
public record RetrySchedule(List<Duration> delays) {
  public static final RetrySchedule STANDARD = new RetrySchedule(List.of(Duration.ZERO, Duration.ofSeconds(5),
      Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10),
      Duration.ofHours(14), Duration.ofHours(20), Duration.ofHours(24)));

  public RetrySchedule {
    delays = List.copyOf(delays);
    if (delays.isEmpty() || !delays.getFirst().isZero()) {
      throw new IllegalArgumentException("a schedule starts with an immediate attempt");
    }
  }

  public int attempts() {
    return delays.size();
  }

  /** The wait before attempt {@code step + 1} (0-based), or empty when attempt {@code step} was the last. */
  public Optional<Duration> after(int step) {
    return step + 1 < delays.size() ? Optional.of(delays.get(step + 1)) : Optional.empty();
  }
}
