package dev.keep.enclave.seal;

/**
 * Sealing or unsealing failed: a data key that does not open, a blob that fails its check, a
 * wrong algorithm. The message names what failed and never carries secret bytes.
 */
public final class SealingException extends Exception {
  private static final long serialVersionUID = 1L;

  public SealingException(String message) {
    super(message);
  }

  public SealingException(String message, Throwable cause) {
    super(message, cause);
  }
}
