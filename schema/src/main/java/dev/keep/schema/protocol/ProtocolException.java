package dev.keep.schema.protocol;

/**
 * Bytes from the other side of the vsock did not form a valid frame or message. The enclave
 * answers it with {@link ErrorCode#INVALID_REQUEST} and closes the connection.
 */
public final class ProtocolException extends Exception {
  private static final long serialVersionUID = 1L;

  public ProtocolException(String message) {
    super(message);
  }

  public ProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
