package dev.keep.schema.api;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * The body of {@code POST /v1/jobs}, after it passed {@code job-request.schema.json}. The {@code
 * kind} property names the type; new kinds are added as new named subtypes.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "kind")
@JsonSubTypes({@JsonSubTypes.Type(value = JobRequest.Message.class, name = "message")})
public sealed interface JobRequest {
  String keyId();

  /** The wire name of this job's kind (written by Jackson as the type id, so not a property). */
  @com.fasterxml.jackson.annotation.JsonIgnore
  String kind();

  /** Sign an arbitrary message (hex); see the enclave's {@code MessageDigest} for the hash. */
  record Message(String keyId, String message) implements JobRequest {
    @Override
    @com.fasterxml.jackson.annotation.JsonIgnore
    public String kind() {
      return "message";
    }
  }
}
