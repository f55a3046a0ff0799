package dev.keep.schema.audit;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.keep.schema.protocol.EnclaveResponse.PolicyRef;
import java.util.List;
import java.util.Objects;

/**
 * One line of an audit export (JSON Lines, issue 19): every boot's attestation document first, then
 * the receipts in chain order, then the checkpoints. Each line names its {@code type}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ExportLine.Attestation.class, name = "attestation"),
  @JsonSubTypes.Type(value = ExportLine.ReceiptLine.class, name = "receipt"),
  @JsonSubTypes.Type(value = ExportLine.CheckpointLine.class, name = "checkpoint"),
})
public sealed interface ExportLine {
  /**
   * A boot's attestation document (base64 of the COSE_Sign1 bytes), whose SHA-256 is the boot's id;
   * its {@code user_data} commits to {@code auditKey} and {@code policies} ({@code KeepUserData}).
   */
  record Attestation(String bootId, String document, String auditKey, List<PolicyRef> policies) implements ExportLine {
    public Attestation {
      Objects.requireNonNull(bootId, "bootId");
      Objects.requireNonNull(document, "document");
      Objects.requireNonNull(auditKey, "auditKey");
      policies = policies == null ? List.of() : List.copyOf(policies);
    }
  }

  record ReceiptLine(Receipt receipt, String signature) implements ExportLine {
    public ReceiptLine {
      Objects.requireNonNull(receipt, "receipt");
      Objects.requireNonNull(signature, "signature");
    }

    public static ReceiptLine of(SignedReceipt signed) {
      return new ReceiptLine(signed.receipt(), signed.signature());
    }
  }

  record CheckpointLine(Checkpoint checkpoint, String signature) implements ExportLine {
    public CheckpointLine {
      Objects.requireNonNull(checkpoint, "checkpoint");
      Objects.requireNonNull(signature, "signature");
    }

    public static CheckpointLine of(Checkpoint.Signed signed) {
      return new CheckpointLine(signed.checkpoint(), signed.signature());
    }
  }
}
