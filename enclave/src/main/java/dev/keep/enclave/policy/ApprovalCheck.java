package dev.keep.enclave.policy;

import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.enclave.signing.Message;
import dev.keep.enclave.signing.SigningEngine;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * M of N approvals: distinct named approvers whose BIP-340 signature (BIP-340 §Verification) over
 * the job's approval digest, as a 32-byte message, verifies under the key the policy names. An
 * approver counts once however many signatures they send; names the policy does not know and
 * signatures that do not verify are ignored, and said so in the reason.
 */
final class ApprovalCheck {
  private static final int SHOWN = 8;

  private ApprovalCheck() {}

  static Check check(Rule.Approvals rule, JobFacts job, SigningEngine verifier) {
    Map<String, XOnlyPublicKey> keys = rule.quorum().members();
    Message message = Message.of(job.approvalDigest());
    Set<String> counted = new LinkedHashSet<>();
    Map<String, String> problems = new LinkedHashMap<>();
    for (Approval approval : job.approvals()) {
      String name = approval.approver();
      XOnlyPublicKey key = keys.get(name);
      if (key == null) {
        problems.putIfAbsent(name, "not an approver");
      } else if (!counted.contains(name)) { // each approver is verified until one signature holds
        if (verifier.verifySchnorr(approval.signature(), message, key)) {
          counted.add(name);
          problems.remove(name);
        } else {
          problems.putIfAbsent(name, "signature does not verify");
        }
      }
    }
    int threshold = rule.quorum().threshold();
    return Check.of(
        counted.size() >= threshold,
        "approvals: " + counted.size() + " valid, " + threshold + " required" + listed(problems));
  }

  /** " (bob: signature does not verify; ...)", the first few of them. */
  private static String listed(Map<String, String> problems) {
    if (problems.isEmpty()) {
      return "";
    }
    StringJoiner out = new StringJoiner("; ", " (", ")");
    problems.entrySet().stream()
        .limit(SHOWN)
        .forEach(p -> out.add(p.getKey() + ": " + p.getValue()));
    if (problems.size() > SHOWN) {
      out.add("and " + (problems.size() - SHOWN) + " more");
    }
    return out.toString();
  }
}
