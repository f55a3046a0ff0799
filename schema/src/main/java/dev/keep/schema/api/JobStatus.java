package dev.keep.schema.api;

/** The life of a job. SIGNED, REJECTED and FAILED are terminal: nothing changes them again. */
public enum JobStatus {
  /** Stored and (at least once) enqueued; no worker holds it. */
  QUEUED,
  /** A worker holds a lease on it and is talking to the enclave. */
  RUNNING,
  /** The enclave signed; the result is stored. */
  SIGNED,
  /** The enclave refused (policy, unknown key, invalid request); retrying cannot help. */
  REJECTED,
  /** Attempts ran out, or the message went to the dead-letter queue. */
  FAILED;

  public boolean isTerminal() {
    return this == SIGNED || this == REJECTED || this == FAILED;
  }
}
