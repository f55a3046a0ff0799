package dev.keep.enclave.audit;

import dev.keep.schema.audit.Hashes;
import dev.keep.schema.audit.SignedReceipt;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.encoding.Jcs;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.ErrorCode;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the enclave's answer to a job into the decision its receipt records (issue 19), and has the
 * boot's {@link ReceiptIssuer} sign it.
 *
 * <ul>
 *   <li>A signature is {@code SIGNED}; a dry run's policy decision is {@code EVALUATED}, with its
 *       deciding rule and reason.
 *   <li>A refusal the job ends on is {@code REJECTED}: {@code POLICY_DENIED} names the policy's rule
 *       (the message is {@code policy rule 'ID': REASON}); the others name the error code as the
 *       rule, and their message as the reason.
 *   <li>No receipt when the enclave made no decision about the job: the key is not held here
 *       ({@code KEY_NOT_FOUND}: the host loads it and asks again), or the request failed
 *       ({@code INTERNAL}, {@code SEALING_FAILED}: it is retried).
 * </ul>
 *
 * <p>{@code requestDigest} is the SHA-256 of the RFC 8785 form of the signing request as the enclave
 * decoded it (for a dry run, the request it evaluates); {@code resultDigest} that of the answer.
 */
public final class JobAudit {
  private static final Pattern POLICY_RULE = Pattern.compile("policy rule '([^']*)': (.*)", Pattern.DOTALL);

  /** The key's policy as the decision saw it. */
  public record PolicyRef(long version, String hash) {}

  private final ReceiptIssuer issuer;
  private final Function<String, Optional<String>> tenants;
  private final Function<String, Optional<PolicyRef>> policies;

  /**
   * @param tenants the tenant a key belongs to, empty for a key this enclave does not hold
   * @param policies the key's active policy, empty for a key without one
   */
  public JobAudit(ReceiptIssuer issuer, Function<String, Optional<String>> tenants,
      Function<String, Optional<PolicyRef>> policies) {
    this.issuer = issuer;
    this.tenants = tenants;
    this.policies = policies;
  }

  public ReceiptIssuer issuer() {
    return issuer;
  }

  /** The receipt for {@code response} to the job {@code request}; empty when the enclave made no decision. */
  public Optional<SignedReceipt> receipt(EnclaveRequest request, EnclaveResponse response) {
    EnclaveRequest.SignRequest sign = switch (request) {
      case EnclaveRequest.SignRequest s -> s;
      case EnclaveRequest.EvaluatePolicy e -> e.request();
      default -> null;
    };
    if (sign == null) {
      return Optional.empty();
    }
    Optional<String> tenant = tenants.apply(sign.keyId());
    if (tenant.isEmpty()) {
      return Optional.empty();
    }
    String decision;
    String rule = null;
    String reason = null;
    String resultDigest = null;
    Optional<PolicyRef> policy = policies.apply(sign.keyId());
    Long policyVersion = policy.map(PolicyRef::version).orElse(null);
    String policyHash = policy.map(PolicyRef::hash).orElse(null);
    switch (response) {
      case EnclaveResponse.SchnorrSigned s -> decision = "SIGNED";
      case EnclaveResponse.EcdsaSigned s -> decision = "SIGNED";
      case EnclaveResponse.EventSigned s -> decision = "SIGNED";
      case EnclaveResponse.PsbtSigned s -> decision = "SIGNED";
      case EnclaveResponse.PolicyDecision d -> {
        decision = "EVALUATED";
        rule = d.ruleId();
        reason = (d.allowed() ? "allow: " : "deny: ") + d.reason();
        policyVersion = d.policyVersion();
        policyHash = d.policyHash();
      }
      case EnclaveResponse.Error e when e.code() == ErrorCode.KEY_NOT_FOUND || !e.code().isTerminalForJob()
          || e.code() == ErrorCode.SEALING_FAILED -> {
        return Optional.empty();
      }
      case EnclaveResponse.Error e -> {
        decision = "REJECTED";
        Matcher m = POLICY_RULE.matcher(e.message());
        if (e.code() == ErrorCode.POLICY_DENIED && m.matches()) {
          rule = m.group(1);
          reason = m.group(2);
        } else {
          rule = e.code().name();
          reason = e.message();
        }
      }
      default -> {
        return Optional.empty();
      }
    }
    if (!decision.equals("REJECTED")) {
      resultDigest = digest(Json.MAPPER.valueToTree(response));
    }
    return Optional.of(issuer.issue(new ReceiptIssuer.Decision(sign.jobId(), tenant.get(), sign.keyId(), kind(sign),
        digest(Json.MAPPER.valueToTree(sign)), decision, rule, reason, policyVersion, policyHash, resultDigest)));
  }

  /** The job kind as the API names it. */
  private static String kind(EnclaveRequest.SignRequest sign) {
    return switch (sign) {
      case EnclaveRequest.SignMessage m -> "message";
      case EnclaveRequest.SignEvent e -> "nostr_event";
      case EnclaveRequest.SignDigest d -> "digest";
      case EnclaveRequest.SignPsbt p -> "psbt";
    };
  }

  private static String digest(com.fasterxml.jackson.databind.JsonNode tree) {
    return Hex.encode(Hashes.sha256(Jcs.canonicalize(tree)));
  }
}
