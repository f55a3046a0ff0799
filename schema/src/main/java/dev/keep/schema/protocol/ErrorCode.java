package dev.keep.schema.protocol;

/** The typed errors an enclave answers with (ARCHITECTURE.md §The enclave protocol). */
public enum ErrorCode {
  /** The frame or request was malformed; retrying the same bytes cannot succeed. */
  INVALID_REQUEST,
  /** The key's policy refused the job; the message names the rule and the reason. */
  POLICY_DENIED,
  /** The enclave holds no key with the requested id. */
  KEY_NOT_FOUND,
  /** The key exists but was disabled; it signs nothing more. */
  KEY_DISABLED,
  /** The key exists already: a name is taken once, never overwritten. */
  KEY_EXISTS,
  /** Sealing or unsealing key material failed. */
  SEALING_FAILED,
  /**
   * The answer would not fit where it must go: a frame (4 MiB) or the job's stored result. Refused
   * before anything was signed or charged when the enclave can tell in advance (a PSBT), otherwise
   * instead of an answer that could not be delivered.
   */
  RESULT_TOO_LARGE,
  /** Anything else; the request may be retried. */
  INTERNAL;

  /** Whether a job that met this error is done (REJECTED) rather than worth another attempt. */
  public boolean isTerminalForJob() {
    return this != INTERNAL;
  }
}
