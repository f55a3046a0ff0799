package dev.keep.worker.enclave;

/** The enclave could not be reached or did not answer in time; the job may be retried. */
public final class EnclaveUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;

  public EnclaveUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public EnclaveUnavailableException(String message) {
    super(message);
  }
}
