package dev.keep.enclave.policy;

import dev.keep.enclave.signing.SigningEngine;

/**
 * Decides, before every signature, whether a key's policy allows a job. Default deny: a key with no
 * policy signs nothing, and so does a key whose policy has no rule that applies to the job.
 *
 * <p>{@link #evaluate} is the dry run: the decision and the trace, with nothing charged. {@link
 * #evaluateAndCharge} charges the key's counters (one signature, and the job's external sats) when
 * the decision is allow. Once per job id is the host's part: a job's charge is stored in the same
 * write as its result, so a job delivered again after a failed write is decided on a state without
 * it, and one whose write succeeded is never decided again.
 */
public final class PolicyEngine {
  private final SigningEngine verifier;

  /**
   * @param verifier checks approvers' BIP-340 signatures
   */
  public PolicyEngine(SigningEngine verifier) {
    if (verifier == null) {
      throw new IllegalArgumentException("a signature verifier is required");
    }
    this.verifier = verifier;
  }

  /**
   * @param policy the key's policy, or null when it has none
   */
  public Decision evaluate(Policy policy, JobFacts job, Counters counters) {
    if (job == null || counters == null) {
      throw new IllegalArgumentException("job facts and counters are required");
    }
    if (policy == null) {
      return Decision.noPolicy();
    }
    Verdict root =
        new RuleEvaluator(job, counters, policy.network(), verifier).evaluate(policy.rule());
    return switch (root.outcome()) {
      case ALLOW -> new Decision(true, root.ruleId(), root.reason(), root.trace());
      case DENY -> new Decision(false, root.ruleId(), root.reason(), root.trace());
      case NOT_APPLICABLE ->
          new Decision(
              false,
              Decision.DEFAULT_DENY,
              "no rule of the policy applies to a " + job.kind().wireName() + " job: default deny",
              root.trace());
    };
  }

  /**
   * Evaluates and, when allowed, charges. Holds {@code counters}' monitor throughout, so two jobs
   * of one key cannot both pass a limit that only one of them fits under.
   *
   * @param policy the key's policy, or null when it has none
   */
  public Decision evaluateAndCharge(Policy policy, JobFacts job, Counters counters) {
    if (counters == null) {
      throw new IllegalArgumentException("counters are required");
    }
    synchronized (counters) {
      Decision decision = evaluate(policy, job, counters);
      if (decision.allowed()) {
        counters.charge(job.now(), job.externalSats());
      }
      return decision;
    }
  }
}
