package dev.keep.enclave.policy;

import dev.keep.enclave.signing.SchnorrSignature;

/**
 * An approver's BIP-340 signature over a job's approval digest, as the job carries it. Whether
 * {@code approver} names one of the policy's approvers, and whether the signature verifies, is the
 * {@code approvals} rule's business; a name that could never be an approver's is misuse.
 */
public record Approval(String approver, SchnorrSignature signature) {
  public Approval {
    if (!Names.isValid(approver)) {
      throw new IllegalArgumentException("approver: " + Names.RULE);
    }
    if (signature == null) {
      throw new IllegalArgumentException("approval signature is required");
    }
  }
}
