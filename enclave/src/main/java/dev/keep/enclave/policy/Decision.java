package dev.keep.enclave.policy;

import java.util.List;

/**
 * Allow or deny, the id of the rule that decided and a reason a person can read, such as {@code
 * "velocity 24h: 1,250,000 + 300,000 sats > 1,500,000"}.
 *
 * @param trace every rule's outcome, depth first; empty when the key has no policy
 */
public record Decision(boolean allowed, String ruleId, String reason, List<Trace> trace) {
  /** The decision for a key that has no policy, and the rule id naming it. */
  public static final String DEFAULT_DENY = "default-deny";

  public Decision {
    if (ruleId == null || reason == null || trace == null) {
      throw new IllegalArgumentException("every decision field is required");
    }
    trace = List.copyOf(trace);
  }

  static Decision noPolicy() {
    return new Decision(false, DEFAULT_DENY, "key has no policy: default deny", List.of());
  }
}
