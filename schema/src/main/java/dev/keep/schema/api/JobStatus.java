package dev.keep.schema.api;

/**
 * The life of a job. SIGNED, REJECTED, EVALUATED and FAILED are terminal: nothing changes them
 * again.
 */
public enum JobStatus {
  /** Stored and (at least once) enqueued; no worker holds it. */
  QUEUED,
  /** A worker holds a lease on it and is talking to the enclave. */
  RUNNING,
  /** The enclave signed; the result is stored. */
  SIGNED,
  /** The enclave refused (policy, unknown key, invalid request); retrying cannot help. */
  REJECTED,
  /**
   * A dry run ({@code POST /v1/policy/evaluate}) is done: the result is the policy's decision.
   * Nothing was signed and no limit was charged.
   */
  EVALUATED,
  /** Attempts ran out, or the message went to the dead-letter queue. */
  FAILED;

  public boolean isTerminal() {
    return this == SIGNED || this == REJECTED || this == EVALUATED || this == FAILED;
  }
}
