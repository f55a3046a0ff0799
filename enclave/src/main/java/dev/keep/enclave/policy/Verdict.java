package dev.keep.enclave.policy;

import java.util.List;

/**
 * What a rule and everything under it says: the outcome, the rule that decided it (for a
 * combinator, often one of its descendants), the reason, and the trace of the subtree.
 */
record Verdict(Outcome outcome, String ruleId, String reason, List<Trace> trace) {
  Verdict {
    trace = List.copyOf(trace);
  }
}
