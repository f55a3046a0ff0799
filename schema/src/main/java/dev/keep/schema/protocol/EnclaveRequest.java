package dev.keep.schema.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.keep.schema.encoding.Hex;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A request from the host to the enclave. Each type is tagged on the wire by the explicit name in
 * {@link JsonSubTypes}, never by declaration order, so adding a type never renumbers another.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = EnclaveRequest.Health.class, name = "health"),
  @JsonSubTypes.Type(value = EnclaveRequest.GenerateKey.class, name = "generate_key"),
  @JsonSubTypes.Type(value = EnclaveRequest.GetPublicKey.class, name = "public_key"),
  @JsonSubTypes.Type(value = EnclaveRequest.ListKeys.class, name = "list_keys"),
  @JsonSubTypes.Type(value = EnclaveRequest.SignMessage.class, name = "sign_message"),
})
public sealed interface EnclaveRequest {

  /** Key ids are short printable names; the same rule as the public API's {@code keyId}. */
  Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** Job ids are assigned by the API; the enclave uses them to answer a repeated job alike. */
  Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** Largest message the enclave signs, in bytes. */
  int MAX_MESSAGE_BYTES = 65_536;

  static String requireKeyId(String keyId) {
    if (keyId == null || !KEY_ID.matcher(keyId).matches()) {
      throw new IllegalArgumentException("keyId: must match " + KEY_ID.pattern());
    }
    return keyId;
  }

  static String requireJobId(String jobId) {
    if (jobId == null || !JOB_ID.matcher(jobId).matches()) {
      throw new IllegalArgumentException("jobId: must match " + JOB_ID.pattern());
    }
    return jobId;
  }

  /** Liveness and a count of keys held. */
  record Health() implements EnclaveRequest {}

  /** Generate a fresh secp256k1 key inside the enclave under {@code keyId}. */
  record GenerateKey(String keyId) implements EnclaveRequest {
    public GenerateKey {
      requireKeyId(keyId);
    }
  }

  /** The public forms of one key. */
  record GetPublicKey(String keyId) implements EnclaveRequest {
    public GetPublicKey {
      requireKeyId(keyId);
    }
  }

  /** Every key id the enclave holds, with its public key. */
  record ListKeys() implements EnclaveRequest {}

  /**
   * Sign {@code message} (hex) for job {@code jobId}. The enclave hashes the message itself (see
   * {@code MessageDigest} in the enclave) so the host can never make it sign a chosen digest.
   */
  record SignMessage(String jobId, String keyId, String message) implements EnclaveRequest {
    public SignMessage {
      requireJobId(jobId);
      requireKeyId(keyId);
      Objects.requireNonNull(message, "message");
      if (!Hex.isHex(message)) {
        throw new IllegalArgumentException("message: must be an even number of hex digits");
      }
      if (message.length() / 2 > MAX_MESSAGE_BYTES) {
        throw new IllegalArgumentException(
            "message: at most " + MAX_MESSAGE_BYTES + " bytes, got " + message.length() / 2);
      }
    }
  }
}
