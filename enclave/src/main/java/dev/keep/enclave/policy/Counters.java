package dev.keep.enclave.policy;

import java.time.Duration;
import java.time.Instant;

/**
 * One key's history of allowed jobs, as {@code velocity} and {@code max_count} read it: how many
 * signatures, and how many external sats, in a rolling window ending now.
 *
 * <p>An implementation may keep less than every charge, but must err towards denying: a window of
 * length W at {@code now} counts every charge made strictly after {@code now - W} (and every charge
 * dated after {@code now}, from a clock that stepped back), and may also count charges a little
 * older. It never counts a charge for less than W.
 *
 * <p>{@link PolicyEngine#evaluateAndCharge} holds this object's monitor while it evaluates and
 * charges, so two jobs cannot both fit under a limit only one of them fits under. Implementations
 * that lock internally lock on {@code this}.
 */
public interface Counters {
  /** Signatures charged in the window of length {@code window} ending at {@code now}. */
  long count(Instant now, Duration window);

  /** External sats charged in that window, saturating at {@link Long#MAX_VALUE}. */
  long amount(Instant now, Duration window);

  /** Records one allowed job made at {@code at}, sending {@code sats} out. */
  void charge(Instant at, long sats);
}
