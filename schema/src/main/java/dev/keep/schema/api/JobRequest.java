package dev.keep.schema.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The body of {@code POST /v1/jobs}, after it passed {@code job-request.schema.json}. The {@code
 * kind} property names what is signed; each kind is a named subtype, so the enclave always knows
 * whether it signs a message, a Nostr event or a bare digest.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = JobRequest.Message.class, name = "message"),
  @JsonSubTypes.Type(value = JobRequest.NostrEvent.class, name = "nostr_event"),
  @JsonSubTypes.Type(value = JobRequest.Digest.class, name = "digest"),
  @JsonSubTypes.Type(value = JobRequest.Psbt.class, name = "psbt"),
})
public sealed interface JobRequest {
  String keyId();

  /** An HD key's child to sign with, or null for the key itself. */
  String path();

  /** The wire name of this job's kind (written by Jackson as the type id, so not a property). */
  @JsonIgnore
  String kind();

  /**
   * Sign a message (hex, any length). {@code scheme} is {@code bip340} (the default: a BIP-340
   * signature over the message bytes) or {@code ecdsa} (over Bitcoin's signed-message hash).
   */
  record Message(String keyId, String message, String scheme, String path) implements JobRequest {
    @Override
    @JsonIgnore
    public String kind() {
      return "message";
    }
  }

  /** Sign a Nostr event (NIP-01): the enclave computes its id and returns the signed event. */
  record NostrEvent(String keyId, JsonNode event, String path) implements JobRequest {
    @Override
    @JsonIgnore
    public String kind() {
      return "nostr_event";
    }
  }

  /** Sign a bare 32-byte digest; only keys configured to allow digests accept it. */
  record Digest(String keyId, String digest, String scheme, String path) implements JobRequest {
    @Override
    @JsonIgnore
    public String kind() {
      return "digest";
    }
  }

  /**
   * Sign a PSBT (base64, BIP-174 v0 or BIP-370 v2): the enclave signs the inputs that belong to
   * the key and reports its spend analysis. {@code network} must be the key's network. {@code
   * finalize} (default false) also finalises complete inputs and extracts the transaction.
   */
  record Psbt(String keyId, String psbt, String network, @JsonProperty("finalize") Boolean finalizeInputs) implements JobRequest {
    @Override
    public String path() {
      return null;
    }

    @Override
    @JsonIgnore
    public String kind() {
      return "psbt";
    }
  }
}
