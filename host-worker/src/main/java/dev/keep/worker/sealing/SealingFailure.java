package dev.keep.worker.sealing;

/** KMS, the enclave or the store refused a sealing step; the message says which and why. */
public final class SealingFailure extends Exception {
  private static final long serialVersionUID = 1L;

  public SealingFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
