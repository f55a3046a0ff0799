package dev.keep.schema.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveRequest.Approval;
import java.util.List;

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
  /**
   * The stored kind of a dry-run job ({@code POST /v1/policy/evaluate}): its body is an ordinary
   * job body, which the enclave decides on without signing or charging.
   */
  String POLICY_EVALUATE = "policy_evaluate";

  String keyId();

  /** An HD key's child to sign with, or null for the key itself. */
  String path();

  /**
   * Approvals attached to the job: BIP-340 signatures by approvers the key's policy names, over
   * the job's approval digest (which a dry run, {@code POST /v1/policy/evaluate}, returns). Null
   * or empty when the policy needs none.
   */
  List<Approval> approvals();

  /** The wire name of this job's kind (written by Jackson as the type id, so not a property). */
  @JsonIgnore
  String kind();

  /**
   * The enclave request that signs this job as {@code jobId}. The worker sends it, or wraps it in
   * an {@code evaluate_policy} for a dry run; the CLI's {@code policy evaluate} does the same.
   *
   * @throws IllegalArgumentException naming the field when the body breaks a protocol rule
   */
  default EnclaveRequest.SignRequest toSignRequest(String jobId) {
    return switch (this) {
      case Message m -> new EnclaveRequest.SignMessage(jobId, m.keyId(), m.message(), m.scheme(), m.path(), m.approvals());
      case NostrEvent e -> new EnclaveRequest.SignEvent(jobId, e.keyId(), e.event(), e.path(), e.approvals());
      case Digest d -> new EnclaveRequest.SignDigest(jobId, d.keyId(), d.digest(), d.scheme(), d.path(), d.approvals());
      case Psbt p -> new EnclaveRequest.SignPsbt(
          jobId, p.keyId(), p.psbt(), p.network(), Boolean.TRUE.equals(p.finalizeInputs()), p.approvals());
    };
  }

  /**
   * Sign a message (hex, any length). {@code scheme} is {@code bip340} (the default: a BIP-340
   * signature over the message bytes) or {@code ecdsa} (over Bitcoin's signed-message hash).
   */
  record Message(String keyId, String message, String scheme, String path, List<Approval> approvals)
      implements JobRequest {
    public Message(String keyId, String message, String scheme, String path) {
      this(keyId, message, scheme, path, null);
    }

    @Override
    @JsonIgnore
    public String kind() {
      return "message";
    }
  }

  /** Sign a Nostr event (NIP-01): the enclave computes its id and returns the signed event. */
  record NostrEvent(String keyId, JsonNode event, String path, List<Approval> approvals) implements JobRequest {
    public NostrEvent(String keyId, JsonNode event, String path) {
      this(keyId, event, path, null);
    }

    @Override
    @JsonIgnore
    public String kind() {
      return "nostr_event";
    }
  }

  /** Sign a bare 32-byte digest; only keys configured to allow digests accept it. */
  record Digest(String keyId, String digest, String scheme, String path, List<Approval> approvals)
      implements JobRequest {
    public Digest(String keyId, String digest, String scheme, String path) {
      this(keyId, digest, scheme, path, null);
    }

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
  record Psbt(
      String keyId,
      String psbt,
      String network,
      @JsonProperty("finalize") Boolean finalizeInputs,
      List<Approval> approvals)
      implements JobRequest {
    public Psbt(String keyId, String psbt, String network, Boolean finalizeInputs) {
      this(keyId, psbt, network, finalizeInputs, null);
    }

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
