package dev.keep.schema.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.keep.schema.encoding.Hex;
import java.util.List;
import java.util.Objects;

/** A response from the enclave: a typed result or a typed {@link Error}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = EnclaveResponse.HealthStatus.class, name = "health"),
  @JsonSubTypes.Type(value = EnclaveResponse.KeyInfo.class, name = "key"),
  @JsonSubTypes.Type(value = EnclaveResponse.KeyList.class, name = "key_list"),
  @JsonSubTypes.Type(value = EnclaveResponse.MessageSigned.class, name = "message_signed"),
  @JsonSubTypes.Type(value = EnclaveResponse.Error.class, name = "error"),
})
public sealed interface EnclaveResponse {

  private static String requireHex(String field, String value, int bytes) {
    if (!Hex.isHex(value, bytes)) {
      throw new IllegalArgumentException(field + ": must be " + bytes + " bytes of hex");
    }
    return value;
  }

  /** {@code mode} is {@code local} or {@code nitro}; a client can refuse a local enclave. */
  record HealthStatus(String status, String mode, int keys) implements EnclaveResponse {
    public HealthStatus {
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(mode, "mode");
    }
  }

  /** A key the enclave holds: its id and its BIP-340 x-only public key. */
  record KeyInfo(String keyId, String publicKey) implements EnclaveResponse {
    public KeyInfo {
      EnclaveRequest.requireKeyId(keyId);
      requireHex("publicKey", publicKey, 32);
    }
  }

  record KeyList(List<KeyInfo> keys) implements EnclaveResponse {
    public KeyList {
      keys = List.copyOf(keys);
    }
  }

  /**
   * A BIP-340 signature over {@code digest}, the tagged hash of the job's message. A repeated job
   * id gets the same signature back, never a second one.
   */
  record MessageSigned(
      String jobId, String keyId, String digest, String signature, String publicKey)
      implements EnclaveResponse {
    public MessageSigned {
      EnclaveRequest.requireJobId(jobId);
      EnclaveRequest.requireKeyId(keyId);
      requireHex("digest", digest, 32);
      requireHex("signature", signature, 64);
      requireHex("publicKey", publicKey, 32);
    }
  }

  /** A typed failure. {@code message} is for people and never carries secret material. */
  record Error(ErrorCode code, String message) implements EnclaveResponse {
    public Error {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
    }
  }
}
