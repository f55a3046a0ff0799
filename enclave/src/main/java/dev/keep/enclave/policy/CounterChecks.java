package dev.keep.enclave.policy;

/**
 * The checks on a key's history: how much and how often it signed within a rolling window. A job
 * is decided on a state that does not hold its own charge: the host presents the latest durable
 * state, and a job's charge becomes durable only together with its result.
 */
final class CounterChecks {
  private CounterChecks() {}

  /** Sats already sent in the window plus this job's must not exceed the limit; equal is fine. */
  static Check velocity(Rule.Velocity rule, JobFacts job, Counters counters) {
    long used = counters.amount(job.now(), rule.window().length());
    long sending = job.externalSats();
    long limit = rule.sats();
    boolean over = sending > limit || used > limit - sending; // used + sending > limit, no overflow
    return Check.of(
        !over,
        Text.format(
            "velocity %s: %,d + %,d sats %s %,d",
            rule.window().label(), used, sending, over ? ">" : "<=", limit));
  }

  /** Signatures already made in the window, plus this one, must not exceed the limit. */
  static Check maxCount(Rule.MaxCount rule, JobFacts job, Counters counters) {
    long made = counters.count(job.now(), rule.window().length());
    boolean over = made >= rule.count();
    return Check.of(
        !over,
        Text.format(
            "max_count %s: %,d + 1 %s %,d",
            rule.window().label(), made, over ? ">" : "<=", rule.count()));
  }
}
