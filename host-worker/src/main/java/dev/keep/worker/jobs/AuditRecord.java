package dev.keep.worker.jobs;

import static dev.keep.schema.tables.AuditAttributes.ATTEMPTS;
import static dev.keep.schema.tables.AuditAttributes.DECISION;
import static dev.keep.schema.tables.AuditAttributes.JOB_ID;
import static dev.keep.schema.tables.AuditAttributes.KEY_ID;
import static dev.keep.schema.tables.AuditAttributes.KIND;
import static dev.keep.schema.tables.AuditAttributes.REASON;
import static dev.keep.schema.tables.AuditAttributes.RECORDED_AT;
import static dev.keep.schema.tables.AuditAttributes.REQUEST_DIGEST;
import static dev.keep.schema.tables.AuditAttributes.RESULT_DIGEST;
import static dev.keep.schema.tables.AuditAttributes.TENANT_ID;
import static dev.keep.schema.tables.AuditAttributes.WORKER_ID;

import dev.keep.schema.api.JobStatus;
import dev.keep.schema.audit.SignedReceipt;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.tables.ReceiptAttributes;
import dev.keep.schema.tables.SortableInstant;
import dev.keep.schema.encoding.Hex;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The audit record of one terminal job: what was asked (request digest), what was decided and
 * why, what came out (result digest), and the enclave's signed receipt of its decision when the
 * enclave made one (issue 19). It is written atomically with the job's terminal state. The host
 * writes the other fields; only the receipt is the enclave's word.
 */
public record AuditRecord(
    String jobId,
    String tenantId,
    String keyId,
    String kind,
    String requestDigest,
    JobStatus decision,
    String resultDigest,
    String reason,
    Instant recordedAt,
    String workerId,
    int attempts,
    SignedReceipt receipt) {

  public static AuditRecord of(Job job, Outcome outcome, String workerId, Instant now) {
    return of(job, outcome, workerId, now, null);
  }

  /** @param receipt the enclave's receipt of the decision; null when it made none */
  public static AuditRecord of(Job job, Outcome outcome, String workerId, Instant now, SignedReceipt receipt) {
    String resultMaterial;
    String reason;
    switch (outcome) {
      case Outcome.Signed s -> {
        resultMaterial = s.resultJson();
        reason = "signed";
      }
      case Outcome.Evaluated e -> {
        resultMaterial = e.resultJson();
        reason = "dry run: " + (e.allowed() ? "allow" : "deny") + " by rule '" + e.ruleId() + "'";
      }
      case Outcome.Rejected r -> {
        resultMaterial = r.code() + "\n" + r.message();
        reason = r.code() + ": " + r.message();
      }
      case Outcome.Failed f -> {
        resultMaterial = f.code() + "\n" + f.message();
        reason = f.code() + ": " + f.message();
      }
    }
    return new AuditRecord(
        job.jobId(),
        job.tenantId(),
        job.keyId(),
        job.kind(),
        sha256(job.requestJson()),
        outcome.status(),
        sha256(resultMaterial),
        reason,
        now,
        workerId,
        job.attempts(),
        receipt);
  }

  Map<String, AttributeValue> toItem() {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put(JOB_ID, AttributeValue.fromS(jobId));
    item.put(TENANT_ID, AttributeValue.fromS(tenantId));
    item.put(KEY_ID, AttributeValue.fromS(keyId));
    item.put(KIND, AttributeValue.fromS(kind));
    item.put(REQUEST_DIGEST, AttributeValue.fromS(requestDigest));
    item.put(DECISION, AttributeValue.fromS(decision.name()));
    item.put(RESULT_DIGEST, AttributeValue.fromS(resultDigest));
    item.put(REASON, AttributeValue.fromS(reason));
    item.put(RECORDED_AT, AttributeValue.fromS(SortableInstant.of(recordedAt)));
    item.put(WORKER_ID, AttributeValue.fromS(workerId));
    item.put(ATTEMPTS, AttributeValue.fromN(Integer.toString(attempts)));
    if (receipt != null) {
      item.put(ReceiptAttributes.RECEIPT, AttributeValue.fromS(Json.write(receipt)));
      item.put(ReceiptAttributes.BOOT_ID, AttributeValue.fromS(receipt.receipt().bootId()));
      item.put(ReceiptAttributes.SEQ, AttributeValue.fromN(Long.toString(receipt.receipt().seq())));
    }
    return item;
  }

  static String sha256(String text) {
    try {
      return Hex.encode(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
