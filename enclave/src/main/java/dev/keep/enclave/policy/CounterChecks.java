package dev.keep.enclave.policy;

import java.time.Instant;

/**
 * The checks on a key's history: how much and how often it signed within a rolling window. The
 * job's own earlier charge is left out, so a job delivered again is judged as it was the first
 * time.
 */
final class CounterChecks {
  private CounterChecks() {}

  /** Sats already sent in the window plus this job's must not exceed the limit; equal is fine. */
  static Check velocity(Rule.Velocity rule, JobFacts job, Counters counters) {
    long used = counters.amount(since(job, rule.window()), job.jobId());
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
    long made = counters.count(since(job, rule.window()), job.jobId());
    boolean over = made >= rule.count();
    return Check.of(
        !over,
        Text.format(
            "max_count %s: %,d + 1 %s %,d",
            rule.window().label(), made, over ? ">" : "<=", rule.count()));
  }

  private static Instant since(JobFacts job, Window window) {
    return job.now().minus(window.length());
  }
}
