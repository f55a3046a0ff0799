package dev.keep.enclave.policy;

/**
 * A policy document that is not valid JSON or breaks a rule of the policy format. The message is
 * {@code "<path>: <rule>"}, for example {@code "rule.all.2.sats: must be a positive integer"};
 * {@code policy} is the path of the whole document.
 */
public final class PolicyException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final String rule;

  PolicyException(String path, String rule) {
    super(path + ": " + rule);
    this.path = path;
    this.rule = rule;
  }

  /** Where in the document the rule was broken, such as {@code rule.any.0.window}. */
  public String path() {
    return path;
  }

  /** The broken rule, without the path. */
  public String rule() {
    return rule;
  }
}
