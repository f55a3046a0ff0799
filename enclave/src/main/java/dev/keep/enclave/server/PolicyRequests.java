package dev.keep.enclave.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.enclave.keys.KeyStore;
import dev.keep.enclave.keys.Network;
import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.enclave.policy.ApprovalDigests;
import dev.keep.enclave.policy.Decision;
import dev.keep.enclave.policy.JobFacts;
import dev.keep.enclave.policy.KeyPolicies;
import dev.keep.enclave.policy.Policy;
import dev.keep.enclave.policy.PolicyException;
import dev.keep.enclave.policy.Quorum;
import dev.keep.enclave.seal.VaultException;
import dev.keep.enclave.signing.Digest32;
import dev.keep.enclave.signing.Message;
import dev.keep.enclave.signing.SchnorrSignature;
import dev.keep.enclave.signing.SigningEngine;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.ErrorCode;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Policies through the protocol: set (first by the host, then only with the current policy's
 * admins), show, and the gate every signing request passes before it signs. A refusal is
 * {@code POLICY_DENIED} naming the deciding rule and its reason.
 */
final class PolicyRequests {
  private final KeyPolicies book;
  private final SigningEngine verifier;
  private final Clock clock;

  PolicyRequests(KeyPolicies book, SigningEngine verifier, Clock clock) {
    this.book = book;
    this.verifier = verifier;
    this.clock = clock;
  }

  Instant now() {
    return clock.instant();
  }

  /**
   * Parses the operator's policy text for a key of {@code network}; errors name {@code
   * policy.<path>}. The text is the one the operator gave, so a duplicated key is refused here
   * rather than silently dropped on the way.
   */
  static Policy parse(String text, Network network) throws Refused {
    try {
      return Policy.parse(text, network);
    } catch (PolicyException e) {
      // Paths inside the document are under "policy."; the document as a whole is "policy".
      String field = e.path().equals("policy") ? "policy" : "policy." + e.path();
      throw new Refused(ErrorCode.INVALID_REQUEST, field + ": " + e.rule());
    }
  }

  /** The paths {@code keyId}'s policy lets it sign under another network's coin type. */
  List<dev.keep.enclave.keys.hd.DerivationPath> otherNetworkPaths(String keyId) {
    return book.find(keyId).map(slot -> slot.policy().otherNetworkPaths()).orElse(List.of());
  }

  /** Holds an unsealed key's policy state again, as it was sealed. */
  void restore(String keyId, byte[] state, dev.keep.enclave.keys.Network network) throws Refused {
    try {
      book.restore(keyId, state, network);
    } catch (VaultException e) {
      throw new Refused(ErrorCode.SEALING_FAILED, e.getMessage());
    }
  }

  /** Every key's policy version and hash, for the attestation's user data. */
  java.util.List<EnclaveResponse.PolicyRef> refs() {
    return book.refs();
  }

  /** The key's active policy, for its audit receipts; empty for a key without one. */
  Optional<dev.keep.enclave.audit.JobAudit.PolicyRef> ref(String keyId) {
    return book.find(keyId).map(slot -> new dev.keep.enclave.audit.JobAudit.PolicyRef(slot.policy().version(),
        slot.policy().hash().toHex()));
  }

  /** Stores {@code policy} as the new key's first policy. */
  void installFirst(String keyId, Policy policy) throws Refused {
    try {
      book.install(keyId, policy);
    } catch (VaultException e) {
      throw new Refused(ErrorCode.SEALING_FAILED, e.getMessage());
    }
  }

  EnclaveResponse set(KeyStore.Entry entry, EnclaveRequest.SetPolicy request) throws Refused {
    Policy next = parse(request.policy(), entry.config().network());
    Optional<KeyPolicies.Slot> current = book.find(entry.keyId());
    if (current.isPresent()) {
      Policy now = current.get().policy();
      if (next.version() <= now.version()) {
        throw new Refused(ErrorCode.INVALID_REQUEST,
            "policy.version: must be greater than the current version " + now.version() + ", got " + next.version());
      }
      Quorum admins = now.admins().orElseThrow(() -> new Refused(ErrorCode.POLICY_DENIED,
          "policy: the current policy of '" + entry.keyId() + "' names no admins, so no one can change it"));
      Digest32 digest = ApprovalDigests.policyUpdate(entry.keyId(), now.hash(), next.hash(), next.version());
      requireQuorum(admins, digest, request.approvals());
    }
    try {
      book.install(entry.keyId(), next);
    } catch (VaultException e) {
      throw new Refused(ErrorCode.SEALING_FAILED, e.getMessage());
    }
    return info(entry.keyId());
  }

  /** M distinct admins whose BIP-340 signatures over {@code digest} verify, or a refusal saying why not. */
  private void requireQuorum(Quorum admins, Digest32 digest, List<EnclaveRequest.Approval> approvals) throws Refused {
    Set<String> valid = new LinkedHashSet<>();
    List<String> problems = new ArrayList<>();
    for (EnclaveRequest.Approval a : approvals == null ? List.<EnclaveRequest.Approval>of() : approvals) {
      XOnlyPublicKey key = admins.members().get(a.approver());
      if (key == null) {
        problems.add(a.approver() + ": not an admin");
      } else if (!valid.contains(a.approver())) {
        SchnorrSignature sig = SchnorrSignature.of(Hex.decode("approvals.signature", a.signature()));
        if (verifier.verifySchnorr(sig, Message.of(digest), key)) {
          valid.add(a.approver());
        } else {
          problems.add(a.approver() + ": signature does not verify");
        }
      }
    }
    if (valid.size() < admins.threshold()) {
      throw new Refused(ErrorCode.POLICY_DENIED, "policy update: " + valid.size() + " valid admin approvals, "
          + admins.threshold() + " required" + (problems.isEmpty() ? "" : " (" + String.join("; ", problems) + ")")
          + "; admins sign " + digest.toHex());
    }
  }

  EnclaveResponse get(String keyId) throws Refused {
    if (book.find(keyId).isEmpty()) {
      throw new Refused(ErrorCode.INVALID_REQUEST,
          "keyId: key '" + keyId + "' has no policy, so it signs nothing; set one with keep enclave policy set");
    }
    return info(keyId);
  }

  private EnclaveResponse.PolicyInfo info(String keyId) {
    KeyPolicies.Slot slot = book.find(keyId).orElseThrow();
    Instant now = now();
    Duration hour = Duration.ofHours(1);
    Duration day = Duration.ofDays(1);
    JsonNode document;
    try {
      document = Json.MAPPER.readTree(slot.policy().canonicalJson());
    } catch (IOException e) {
      throw new IllegalStateException("a parsed policy's canonical JSON parses", e);
    }
    return new EnclaveResponse.PolicyInfo(keyId, slot.policy().version(), slot.policy().hash().toHex(), document,
        slot.counters().count(now, hour), slot.counters().count(now, day),
        slot.counters().amount(now, hour), slot.counters().amount(now, day));
  }

  /** The gate: decides and charges, and refuses with the deciding rule when the policy denies. */
  void allow(String keyId, JobFacts job) throws Refused {
    Decision decision;
    try {
      decision = book.decideAndCharge(keyId, job);
    } catch (VaultException e) {
      throw new Refused(ErrorCode.SEALING_FAILED, "policy counters could not be sealed: " + e.getMessage());
    }
    if (!decision.allowed()) {
      throw new Refused(ErrorCode.POLICY_DENIED, "policy rule '" + decision.ruleId() + "': " + decision.reason());
    }
  }

  /** The dry run's answer. */
  EnclaveResponse.PolicyDecision dryRun(String keyId, JobFacts job) {
    Decision d = book.evaluate(keyId, job);
    Optional<KeyPolicies.Slot> slot = book.find(keyId);
    return new EnclaveResponse.PolicyDecision(keyId, d.allowed(), d.ruleId(), d.reason(),
        slot.map(s -> s.policy().version()).orElse(null),
        slot.map(s -> s.policy().hash().toHex()).orElse(null),
        job.approvalDigest().toHex(),
        d.trace().stream().map(t -> new EnclaveResponse.PolicyTrace(t.ruleId(), t.type(), t.outcome().wireName(), t.detail()))
            .toList());
  }

  /** The approvals a request carries, as the policy engine reads them. */
  static List<dev.keep.enclave.policy.Approval> approvals(EnclaveRequest.SignRequest request) throws Refused {
    List<dev.keep.enclave.policy.Approval> out = new ArrayList<>();
    if (request.approvals() != null) {
      for (EnclaveRequest.Approval a : request.approvals()) {
        try {
          out.add(new dev.keep.enclave.policy.Approval(a.approver(),
              SchnorrSignature.of(Hex.decode("approvals.signature", a.signature()))));
        } catch (IllegalArgumentException e) {
          throw new Refused(ErrorCode.INVALID_REQUEST, "approvals: " + e.getMessage());
        }
      }
    }
    return out;
  }
}
