package dev.keep.enclave.policy;

/** What one check (a rule with a {@code type}) says about a job, and why. */
record Check(Outcome outcome, String detail) {
  static Check allow(String detail) {
    return new Check(Outcome.ALLOW, detail);
  }

  static Check deny(String detail) {
    return new Check(Outcome.DENY, detail);
  }

  static Check notApplicable(String type, JobKind kind) {
    return new Check(
        Outcome.NOT_APPLICABLE, type + ": does not apply to a " + kind.wireName() + " job");
  }

  static Check of(boolean allowed, String detail) {
    return allowed ? allow(detail) : deny(detail);
  }
}
