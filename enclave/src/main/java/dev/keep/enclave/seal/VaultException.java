package dev.keep.enclave.seal;

/** Sealing, unsealing or storing a key failed. The message names the key and never its bytes. */
public final class VaultException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Whether the failure is a name that is already taken. */
  private final boolean exists;

  public VaultException(String message, boolean exists, Throwable cause) {
    super(message, cause);
    this.exists = exists;
  }

  public VaultException(String message) {
    this(message, false, null);
  }

  public boolean keyExists() {
    return exists;
  }
}
