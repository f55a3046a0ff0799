package dev.keep.schema.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.schema.encoding.Hex;
import java.util.List;
import java.util.Objects;

/** A response from the enclave: a typed result or a typed {@link Error}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = EnclaveResponse.HealthStatus.class, name = "health"),
  @JsonSubTypes.Type(value = EnclaveResponse.KeyInfo.class, name = "key"),
  @JsonSubTypes.Type(value = EnclaveResponse.KeyList.class, name = "key_list"),
  @JsonSubTypes.Type(value = EnclaveResponse.SchnorrSigned.class, name = "schnorr_signature"),
  @JsonSubTypes.Type(value = EnclaveResponse.EcdsaSigned.class, name = "ecdsa_signature"),
  @JsonSubTypes.Type(value = EnclaveResponse.EventSigned.class, name = "event_signed"),
  @JsonSubTypes.Type(value = EnclaveResponse.PsbtSigned.class, name = "psbt_signed"),
  @JsonSubTypes.Type(value = EnclaveResponse.PolicyInfo.class, name = "policy"),
  @JsonSubTypes.Type(value = EnclaveResponse.PolicyDecision.class, name = "policy_decision"),
  @JsonSubTypes.Type(value = EnclaveResponse.Attestation.class, name = "attestation"),
  @JsonSubTypes.Type(value = EnclaveResponse.Checkpoints.class, name = "checkpoints"),
  @JsonSubTypes.Type(value = EnclaveResponse.Receipts.class, name = "receipts"),
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

  /**
   * A key the enclave holds and its public forms: SEC1 compressed {@code publicKey}, BIP-340
   * {@code xOnly}, NIP-19 {@code npub}, and for HD keys the BIP-32 {@code xpub} of {@code path}
   * (null for the root itself).
   */
  record KeyInfo(
      String keyId,
      EnclaveRequest.KeySpec spec,
      boolean disabled,
      String path,
      String publicKey,
      String xOnly,
      String npub,
      String xpub)
      implements EnclaveResponse {
    public KeyInfo {
      EnclaveRequest.requireKeyId(keyId);
      Objects.requireNonNull(spec, "spec");
      EnclaveRequest.optionalPath(path);
      requireHex("publicKey", publicKey, 33);
      requireHex("xOnly", xOnly, 32);
      Objects.requireNonNull(npub, "npub");
    }
  }

  /**
   * An attestation document (base64 of the NSM's COSE_Sign1 CBOR) and what it binds, in the clear
   * so a verifier can recompute {@code userData}: the per-boot RSA {@code publicKey} (base64 DER
   * SubjectPublicKeyInfo) that KMS encrypts data keys to, the enclave's audit key, and the active
   * policies.
   *
   * @param auditKey hex; the BIP-340 x-only key of the enclave's audit key
   * @param userData hex; {@code KeepUserData} of the audit key and the policies
   */
  record Attestation(String mode, String document, String publicKey, String auditKey, String userData,
      List<PolicyRef> policies) implements EnclaveResponse {
    public Attestation {
      Objects.requireNonNull(mode, "mode");
      Objects.requireNonNull(document, "document");
      Objects.requireNonNull(publicKey, "publicKey");
      requireHex("auditKey", auditKey, 32);
      requireHex("userData", userData, 32);
      policies = List.copyOf(policies);
    }
  }

  /** Signed audit checkpoints (issue 19), one per tenant chain that was due; possibly none. */
  record Checkpoints(List<dev.keep.schema.audit.Checkpoint.Signed> checkpoints) implements EnclaveResponse {
    public Checkpoints {
      checkpoints = List.copyOf(checkpoints);
    }
  }

  /** Receipts the enclave still holds, in seq order (an answer to {@code audit_receipts}). */
  record Receipts(List<dev.keep.schema.audit.SignedReceipt> receipts) implements EnclaveResponse {
    public Receipts {
      receipts = List.copyOf(receipts);
    }
  }

  /** One key's policy as the attestation's user data commits to it. */
  record PolicyRef(String keyId, long version, String hash) {
    public PolicyRef {
      EnclaveRequest.requireKeyId(keyId);
      requireHex("hash", hash, 32);
    }
  }

  record KeyList(List<KeyInfo> keys) implements EnclaveResponse {
    public KeyList {
      keys = List.copyOf(keys);
    }
  }

  /**
   * A BIP-340 signature by the x-only {@code publicKey} over the job's message (or digest). A
   * repeated job id gets the same signature back, never a second one.
   */
  record SchnorrSigned(String jobId, String keyId, String path, String publicKey, String signature)
      implements EnclaveResponse {
    public SchnorrSigned {
      EnclaveRequest.requireJobId(jobId);
      EnclaveRequest.requireKeyId(keyId);
      requireHex("publicKey", publicKey, 32);
      requireHex("signature", signature, 64);
    }
  }

  /**
   * An ECDSA signature (RFC 6979, low S) over {@code digest}: compact {@code r||s}, strict DER,
   * and the recovery id. For a message job, {@code digest} is Bitcoin's signed-message hash.
   */
  record EcdsaSigned(
      String jobId,
      String keyId,
      String path,
      String publicKey,
      String digest,
      String signature,
      String der,
      int recoveryId)
      implements EnclaveResponse {
    public EcdsaSigned {
      EnclaveRequest.requireJobId(jobId);
      EnclaveRequest.requireKeyId(keyId);
      requireHex("publicKey", publicKey, 33);
      requireHex("digest", digest, 32);
      requireHex("signature", signature, 64);
      if (der == null || !Hex.isHex(der) || der.length() < 16 || der.length() > 144) {
        throw new IllegalArgumentException("der: must be 8 to 72 bytes of hex");
      }
      if (recoveryId < 0 || recoveryId > 3) {
        throw new IllegalArgumentException("recoveryId: must be 0..3");
      }
    }
  }

  /** The signed Nostr event: the request's fields plus {@code id} and {@code sig} (NIP-01). */
  record EventSigned(String jobId, String keyId, JsonNode event) implements EnclaveResponse {
    public EventSigned {
      EnclaveRequest.requireJobId(jobId);
      EnclaveRequest.requireKeyId(keyId);
      if (event == null || !event.isObject() || !event.has("id") || !event.has("sig")) {
        throw new IllegalArgumentException("event: must be a signed event object");
      }
    }
  }

  /**
   * A PSBT after signing: {@code psbt} (base64) carries the new {@code partial_sigs} or {@code
   * tap_key_sig}, and finalised inputs when asked for. {@code complete} is true when every input
   * is final; then {@code transaction} is the extracted network transaction (hex) and {@code
   * txid} its id. The summary, inputs and outputs are the enclave's own spend analysis.
   */
  record PsbtSigned(
      String jobId,
      String keyId,
      String network,
      String psbt,
      boolean complete,
      String transaction,
      PsbtReport.Summary summary,
      List<PsbtReport.Input> inputs,
      List<PsbtReport.Output> outputs)
      implements EnclaveResponse {
    public PsbtSigned {
      EnclaveRequest.requireJobId(jobId);
      EnclaveRequest.requireKeyId(keyId);
      Objects.requireNonNull(network, "network");
      Objects.requireNonNull(psbt, "psbt");
      Objects.requireNonNull(summary, "summary");
      inputs = List.copyOf(inputs);
      outputs = List.copyOf(outputs);
      if (complete != (transaction != null)) {
        throw new IllegalArgumentException("transaction: present exactly when complete");
      }
    }
  }

  /**
   * A key's policy: its {@code version}, its {@code hash} (SHA-256 of the canonical document, hex),
   * the document itself, and the key's signatures and external sats in the last hour and day.
   */
  record PolicyInfo(
      String keyId,
      long version,
      String hash,
      JsonNode policy,
      long signaturesLastHour,
      long signaturesLastDay,
      long satsLastHour,
      long satsLastDay)
      implements EnclaveResponse {
    public PolicyInfo {
      EnclaveRequest.requireKeyId(keyId);
      requireHex("hash", hash, 32);
      Objects.requireNonNull(policy, "policy");
    }
  }

  /** One rule's say in a decision: {@code outcome} is {@code allow}, {@code deny} or {@code n/a}. */
  record PolicyTrace(String ruleId, String type, String outcome, String detail) {}

  /**
   * A policy decision without a signature (a dry run): allowed or not, the rule that decided, a
   * reason a person can read, and what every rule said. {@code policyHash} is null when the key
   * has no policy. {@code approvalDigest} is what the policy's approvers sign for this very job
   * (BIP-340, as a 32-byte message), so a dry run is also how approvers learn what to sign.
   */
  record PolicyDecision(
      String keyId,
      boolean allowed,
      String ruleId,
      String reason,
      Long policyVersion,
      String policyHash,
      String approvalDigest,
      List<PolicyTrace> trace)
      implements EnclaveResponse {
    public PolicyDecision {
      EnclaveRequest.requireKeyId(keyId);
      requireHex("approvalDigest", approvalDigest, 32);
      Objects.requireNonNull(ruleId, "ruleId");
      Objects.requireNonNull(reason, "reason");
      trace = List.copyOf(trace);
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
