package dev.keep.enclave.server;

import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.ErrorCode;

/** A request the enclave refuses, with the typed code and a message that names field and rule. */
final class Refused extends Exception {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;

  Refused(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  EnclaveResponse.Error toResponse() {
    return new EnclaveResponse.Error(code, getMessage());
  }
}
