package dev.keep.enclave.policy;

/** What one rule says about a job. */
public enum Outcome {
  ALLOW("allow"),
  DENY("deny"),
  /** The rule is about something the job does not have (amounts of a message, say). */
  NOT_APPLICABLE("n/a");

  private final String wireName;

  Outcome(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }
}
