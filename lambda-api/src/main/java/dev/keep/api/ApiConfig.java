package dev.keep.api;

import dev.keep.api.webhooks.EndpointRules;
import java.util.Map;
import java.util.Objects;

/** Table, queue and key names, from the Lambda function's environment (set by the SAM template). */
public record ApiConfig(String jobsTable, String keysTable, String tenantsTable, String batchesTable,
    String idempotencyTable, String queueUrl, Webhooks webhooks, Audit audit) {
  public ApiConfig {
    Objects.requireNonNull(batchesTable, "KEEP_BATCHES_TABLE");
    Objects.requireNonNull(idempotencyTable, "KEEP_IDEMPOTENCY_TABLE");
    Objects.requireNonNull(jobsTable, "KEEP_JOBS_TABLE");
    Objects.requireNonNull(keysTable, "KEEP_KEYS_TABLE");
    Objects.requireNonNull(tenantsTable, "KEEP_TENANTS_TABLE");
    Objects.requireNonNull(queueUrl, "KEEP_QUEUE_URL");
    Objects.requireNonNull(webhooks, "webhooks");
    Objects.requireNonNull(audit, "audit");
  }

  /**
   * The audit chain's tables (issue 19), which the auditor's routes read, and the most lines in one
   * slice of an export ({@code KEEP_EXPORT_SLICE_LINES}, default 2,000: about 3 MB, within Lambda's
   * 6 MB answer).
   */
  public record Audit(String auditTable, String receiptsTable, String checkpointsTable, String attestationsTable,
      int exportSliceLines) {
    public static final int DEFAULT_EXPORT_SLICE_LINES = 2_000;

    public Audit {
      if (exportSliceLines < 2 || exportSliceLines > 10_000) {
        throw new IllegalArgumentException("KEEP_EXPORT_SLICE_LINES: must be 2 to 10000, got " + exportSliceLines);
      }
      Objects.requireNonNull(auditTable, "KEEP_AUDIT_TABLE");
      Objects.requireNonNull(receiptsTable, "KEEP_RECEIPTS_TABLE");
      Objects.requireNonNull(checkpointsTable, "KEEP_CHECKPOINTS_TABLE");
      Objects.requireNonNull(attestationsTable, "KEEP_ATTESTATIONS_TABLE");
    }

    /** The tables named {@code prefix + name}, as the local stack and the tests make them. */
    public static Audit withPrefix(String prefix) {
      return new Audit(prefix + "audit", prefix + "receipts", prefix + "checkpoints", prefix + "attestations",
          DEFAULT_EXPORT_SLICE_LINES);
    }

    public Audit withExportSliceLines(int lines) {
      return new Audit(auditTable, receiptsTable, checkpointsTable, attestationsTable, lines);
    }
  }

  /**
   * What webhooks need: their tables, the delivery queue, the KMS key that encrypts their secrets,
   * and whether URLs follow the AWS rules or may also be http to loopback (local mode).
   */
  public record Webhooks(String webhooksTable, String deliveriesTable, String deliveryQueueUrl, String kmsKeyId,
      EndpointRules.Mode mode) {
    public Webhooks {
      Objects.requireNonNull(webhooksTable, "KEEP_WEBHOOKS_TABLE");
      Objects.requireNonNull(deliveriesTable, "KEEP_DELIVERIES_TABLE");
      Objects.requireNonNull(deliveryQueueUrl, "KEEP_DELIVERY_QUEUE_URL");
      Objects.requireNonNull(kmsKeyId, "KEEP_WEBHOOK_KMS_KEY");
      Objects.requireNonNull(mode, "mode");
    }
  }

  public static ApiConfig fromEnvironment(Map<String, String> env) {
    return new ApiConfig(
        env.getOrDefault("KEEP_JOBS_TABLE", "jobs"),
        env.getOrDefault("KEEP_KEYS_TABLE", "keys"),
        env.getOrDefault("KEEP_TENANTS_TABLE", "tenants"),
        env.getOrDefault("KEEP_BATCHES_TABLE", "batches"),
        env.getOrDefault("KEEP_IDEMPOTENCY_TABLE", "idempotency"),
        required(env, "KEEP_QUEUE_URL", "the signing queue's URL"),
        new Webhooks(
            env.getOrDefault("KEEP_WEBHOOKS_TABLE", "webhooks"),
            env.getOrDefault("KEEP_DELIVERIES_TABLE", "deliveries"),
            required(env, "KEEP_DELIVERY_QUEUE_URL", "the webhook delivery queue's URL"),
            required(env, "KEEP_WEBHOOK_KMS_KEY", "the KMS key (id, ARN or alias) that encrypts webhook secrets"),
            // Only the local stack says otherwise; a deployment is never in local mode by accident.
            EndpointRules.Mode.AWS),
        new Audit(
            env.getOrDefault("KEEP_AUDIT_TABLE", "audit"),
            env.getOrDefault("KEEP_RECEIPTS_TABLE", "receipts"),
            env.getOrDefault("KEEP_CHECKPOINTS_TABLE", "checkpoints"),
            env.getOrDefault("KEEP_ATTESTATIONS_TABLE", "attestations"),
            Integer.parseInt(env.getOrDefault("KEEP_EXPORT_SLICE_LINES",
                Integer.toString(Audit.DEFAULT_EXPORT_SLICE_LINES)))));
  }

  private static String required(Map<String, String> env, String name, String what) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(name + " is not set; it names " + what);
    }
    return value;
  }
}
