package dev.keep.api;

import dev.keep.api.webhooks.EndpointRules;
import java.util.Map;
import java.util.Objects;

/** Table, queue and key names, from the Lambda function's environment (set by the SAM template). */
public record ApiConfig(String jobsTable, String keysTable, String tenantsTable, String batchesTable,
    String idempotencyTable, String queueUrl, Webhooks webhooks) {
  public ApiConfig {
    Objects.requireNonNull(batchesTable, "KEEP_BATCHES_TABLE");
    Objects.requireNonNull(idempotencyTable, "KEEP_IDEMPOTENCY_TABLE");
    Objects.requireNonNull(jobsTable, "KEEP_JOBS_TABLE");
    Objects.requireNonNull(keysTable, "KEEP_KEYS_TABLE");
    Objects.requireNonNull(tenantsTable, "KEEP_TENANTS_TABLE");
    Objects.requireNonNull(queueUrl, "KEEP_QUEUE_URL");
    Objects.requireNonNull(webhooks, "webhooks");
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
            EndpointRules.Mode.AWS));
  }

  private static String required(Map<String, String> env, String name, String what) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(name + " is not set; it names " + what);
    }
    return value;
  }
}
