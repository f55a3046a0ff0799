package dev.keep.enclave.policy;

import java.time.Instant;

/**
 * One key's history of allowed jobs, which {@code velocity} and {@code max_count} read. A window of
 * length W at time {@code now} holds the charges made strictly after {@code now - W}: a signature
 * made exactly W ago no longer counts. Charges dated after {@code now} (a clock that stepped back)
 * still count.
 *
 * <p>{@link PolicyEngine#evaluateAndCharge} holds this object's monitor while it evaluates and
 * charges, so two jobs cannot both fit under a limit only one of them fits under. Implementations
 * that lock internally lock on {@code this}.
 */
public interface Counters {
  /** How many jobs were charged after {@code since}, not counting {@code excludingJobId}. */
  long count(Instant since, String excludingJobId);

  /** The sats charged after {@code since}, not counting {@code excludingJobId}'s. */
  long amount(Instant since, String excludingJobId);

  boolean isCharged(String jobId);

  /** Records an allowed job. Idempotent by job id: charging a job again keeps the first entry. */
  void charge(String jobId, Instant at, long sats);
}
