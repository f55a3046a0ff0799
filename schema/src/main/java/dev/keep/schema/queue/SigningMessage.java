package dev.keep.schema.queue;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * The body of a message on the signing queue. It carries only the job's identity: the job itself
 * lives in the {@code jobs} table, which the worker reads after claiming it, so a message can be
 * delivered twice or late without carrying stale data.
 */
public record SigningMessage(
    @JsonProperty("v") int version, String jobId, String tenantId, String enqueuedAt) {
  public static final int VERSION = 1;

  public SigningMessage {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(enqueuedAt, "enqueuedAt");
  }

  public static SigningMessage of(String jobId, String tenantId, String enqueuedAt) {
    return new SigningMessage(VERSION, jobId, tenantId, enqueuedAt);
  }
}
