package dev.keep.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A job as {@code GET /v1/jobs/{id}} and the listings show it. Exactly one of result and error is
 * set when terminal; {@code batchId}, {@code batchIndex} and {@code reference} only for a job of
 * a batch.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(
    String jobId,
    JobStatus status,
    String kind,
    String keyId,
    String createdAt,
    String updatedAt,
    Integer attempts,
    JobResult result,
    ApiError error,
    String batchId,
    Integer batchIndex,
    String reference) {}
