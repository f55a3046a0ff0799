package dev.keep.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.schema.protocol.EnclaveResponse.PolicyTrace;
import dev.keep.schema.protocol.PsbtReport;
import java.util.List;

/** The result of a signed job, or of a dry run, tagged by {@code type}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = JobResult.Schnorr.class, name = "bip340"),
  @JsonSubTypes.Type(value = JobResult.Ecdsa.class, name = "ecdsa"),
  @JsonSubTypes.Type(value = JobResult.SignedEvent.class, name = "nostr_event"),
  @JsonSubTypes.Type(value = JobResult.SignedPsbt.class, name = "psbt"),
  @JsonSubTypes.Type(value = JobResult.PolicyEvaluation.class, name = "policy_decision"),
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface JobResult {

  /** A BIP-340 signature by the x-only {@code publicKey} over the job's message or digest. */
  record Schnorr(String signature, String publicKey, String path) implements JobResult {}

  /**
   * An ECDSA signature (RFC 6979, low S) over {@code digest}: compact hex, DER hex and recovery
   * id, by the compressed {@code publicKey}.
   */
  record Ecdsa(String signature, String der, int recoveryId, String digest, String publicKey, String path)
      implements JobResult {}

  /** The signed Nostr event, with its {@code id} and {@code sig}. */
  record SignedEvent(JsonNode event) implements JobResult {}

  /**
   * The PSBT with this key's signatures (base64), and the enclave's spend analysis. When {@code
   * complete}, {@code transaction} is the extracted network transaction, hex.
   */
  record SignedPsbt(
      String psbt,
      String network,
      boolean complete,
      String transaction,
      PsbtReport.Summary summary,
      List<PsbtReport.Input> inputs,
      List<PsbtReport.Output> outputs)
      implements JobResult {}

  /**
   * The answer of a dry run: whether the key's policy would allow the job now, the deciding rule
   * and a reason a person can read, the policy's version and hash, what every rule said, and the
   * digest the policy's approvers sign for this job (BIP-340, as a 32-byte message).
   */
  record PolicyEvaluation(
      boolean allowed,
      String ruleId,
      String reason,
      Long policyVersion,
      String policyHash,
      String approvalDigest,
      List<PolicyTrace> trace)
      implements JobResult {}
}
