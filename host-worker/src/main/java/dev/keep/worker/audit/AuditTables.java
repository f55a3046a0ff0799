package dev.keep.worker.audit;

import java.util.Objects;

/** The tables a worker keeps the audit chain in (issue 19; {@code schema}'s {@code keep/tables}). */
public record AuditTables(String receipts, String checkpoints, String attestations) {
  public AuditTables {
    Objects.requireNonNull(receipts, "receipts");
    Objects.requireNonNull(checkpoints, "checkpoints");
    Objects.requireNonNull(attestations, "attestations");
  }

  /** The tables under their plain names, as the local stack and tests without a prefix create them. */
  public static AuditTables plain() {
    return new AuditTables("receipts", "checkpoints", "attestations");
  }
}
