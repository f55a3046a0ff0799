package dev.keep.emulators.kms;

/**
 * A KMS error on its way to the client. Its message goes on the wire, so it must never carry key
 * material, plaintext, or anything derived from them.
 */
final class KmsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final KmsError error;

  KmsException(KmsError error, String message) {
    // No stack trace: these are answers to bad requests, not faults worth tracing.
    super(message, null, false, false);
    this.error = error;
  }

  KmsError error() {
    return error;
  }

  static KmsException validation(String field, String constraint) {
    return new KmsException(
        KmsError.VALIDATION,
        "1 validation error detected: Value at '"
            + field
            + "' failed to satisfy constraint: "
            + constraint);
  }

  static KmsException unsupported(String what) {
    return new KmsException(
        KmsError.UNSUPPORTED_OPERATION, what + " is not supported by Keep's local KMS");
  }
}
