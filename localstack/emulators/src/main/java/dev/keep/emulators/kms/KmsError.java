package dev.keep.emulators.kms;

/** The KMS error types this endpoint returns, by their wire name and HTTP status. */
enum KmsError {
  /**
   * The key policy does not allow the request. The SDK has no typed exception for it in KMS, so
   * callers see a KmsException whose error code is "AccessDeniedException", as against AWS.
   */
  ACCESS_DENIED("AccessDeniedException", 400),
  ALREADY_EXISTS("AlreadyExistsException", 400),
  DISABLED("DisabledException", 400),
  INCORRECT_KEY("IncorrectKeyException", 400),
  INTERNAL("KMSInternalException", 500),
  INVALID_CIPHERTEXT("InvalidCiphertextException", 400),
  INVALID_KEY_USAGE("InvalidKeyUsageException", 400),
  INVALID_STATE("KMSInvalidStateException", 400),
  MALFORMED_POLICY("MalformedPolicyDocumentException", 400),
  NOT_FOUND("NotFoundException", 400),
  UNKNOWN_OPERATION("UnknownOperationException", 400),
  UNSUPPORTED_OPERATION("UnsupportedOperationException", 400),
  VALIDATION("ValidationException", 400);

  private final String wireName;
  private final int httpStatus;

  KmsError(String wireName, int httpStatus) {
    this.wireName = wireName;
    this.httpStatus = httpStatus;
  }

  /** The {@code __type} the SDK maps to its typed exception, e.g. {@code NotFoundException}. */
  String wireName() {
    return wireName;
  }

  int httpStatus() {
    return httpStatus;
  }
}
