package dev.keep.schema.attestation;

import java.util.List;

/**
 * What a verifier requires of a document's PCRs. There is no default: a caller either lists the
 * sets it allows or says, in code that reads as insecure, that it checks none.
 */
public sealed interface PcrPolicy {
  /**
   * The document must match at least one of these sets fully. Several sets let a rollout accept
   * the old image and the new one.
   */
  record AnyOf(List<PcrSet> sets) implements PcrPolicy {
    public AnyOf {
      if (sets.isEmpty()) {
        throw new IllegalArgumentException("allow at least one PCR set, or use PcrPolicy.insecureNoCheck()");
      }
      sets = List.copyOf(sets);
    }
  }

  /** No PCR check: any enclave image is accepted. For inspecting documents, never for trust. */
  record NotChecked() implements PcrPolicy {}

  static PcrPolicy anyOf(PcrSet... sets) {
    return new AnyOf(List.of(sets));
  }

  static PcrPolicy anyOf(List<PcrSet> sets) {
    return new AnyOf(sets);
  }

  static PcrPolicy insecureNoCheck() {
    return new NotChecked();
  }
}
