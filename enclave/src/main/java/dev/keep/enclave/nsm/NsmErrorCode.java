package dev.keep.enclave.nsm;

import java.util.Optional;

/**
 * The codes an NSM {@code Error} reply can carry, spelled as on the wire
 * (aws-nitro-enclaves-nsm-api {@code api::ErrorCode}, serialised by serde as the variant name).
 */
public enum NsmErrorCode {
  /** No error; listed because the API defines it, though it should never arrive in an Error. */
  Success,
  /** Input argument(s) invalid. */
  InvalidArgument,
  /** PCR index out of bounds. */
  InvalidIndex,
  /** The received response does not correspond to the earlier request. */
  InvalidResponse,
  /** The PCR is read-only and the request tried to change it. */
  ReadOnlyIndex,
  /** The NSM lacks the capability the request needs. */
  InvalidOperation,
  /** The operation succeeded but the output buffer is too small. */
  BufferTooSmall,
  /** The input is too large. */
  InputTooLarge,
  /** The NSM failed internally. */
  InternalError;

  /** The code with exactly this wire name; empty for any other text. */
  static Optional<NsmErrorCode> fromWireName(String name) {
    for (NsmErrorCode code : values()) {
      if (code.name().equals(name)) {
        return Optional.of(code);
      }
    }
    return Optional.empty();
  }
}
