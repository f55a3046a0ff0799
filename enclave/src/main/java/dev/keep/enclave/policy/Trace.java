package dev.keep.enclave.policy;

/**
 * One rule's outcome for one job. A decision lists them depth first, each combinator before its
 * children, so a dry run shows what every rule of the policy said.
 *
 * @param type the rule's {@code type}, or {@code all}, {@code any}, {@code not}
 */
public record Trace(String ruleId, String type, Outcome outcome, String detail) {
  public Trace {
    if (ruleId == null || type == null || outcome == null || detail == null) {
      throw new IllegalArgumentException("every trace field is required");
    }
  }
}
