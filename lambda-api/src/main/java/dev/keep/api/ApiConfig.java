package dev.keep.api;

import java.util.Map;
import java.util.Objects;

/** Table and queue names, from the Lambda function's environment (set by the SAM template). */
public record ApiConfig(String jobsTable, String keysTable, String tenantsTable, String batchesTable,
    String idempotencyTable, String queueUrl) {
  public ApiConfig {
    Objects.requireNonNull(batchesTable, "KEEP_BATCHES_TABLE");
    Objects.requireNonNull(idempotencyTable, "KEEP_IDEMPOTENCY_TABLE");
    Objects.requireNonNull(jobsTable, "KEEP_JOBS_TABLE");
    Objects.requireNonNull(keysTable, "KEEP_KEYS_TABLE");
    Objects.requireNonNull(tenantsTable, "KEEP_TENANTS_TABLE");
    Objects.requireNonNull(queueUrl, "KEEP_QUEUE_URL");
  }

  public static ApiConfig fromEnvironment(Map<String, String> env) {
    return new ApiConfig(
        env.getOrDefault("KEEP_JOBS_TABLE", "jobs"),
        env.getOrDefault("KEEP_KEYS_TABLE", "keys"),
        env.getOrDefault("KEEP_TENANTS_TABLE", "tenants"),
        env.getOrDefault("KEEP_BATCHES_TABLE", "batches"),
        env.getOrDefault("KEEP_IDEMPOTENCY_TABLE", "idempotency"),
        required(env, "KEEP_QUEUE_URL"));
  }

  private static String required(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(name + " is not set; it names the signing queue's URL");
    }
    return value;
  }
}
