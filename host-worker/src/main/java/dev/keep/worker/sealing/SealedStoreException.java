package dev.keep.worker.sealing;

/** The sealed-key store could not be read or written; the message names the key and the cause. */
public final class SealedStoreException extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean keyExists;

  public SealedStoreException(String message, Throwable cause) {
    this(message, false, cause);
  }

  public SealedStoreException(String message, boolean keyExists, Throwable cause) {
    super(message, cause);
    this.keyExists = keyExists;
  }

  /** The key id was taken: nothing was written. */
  public boolean keyExists() {
    return keyExists;
  }
}
