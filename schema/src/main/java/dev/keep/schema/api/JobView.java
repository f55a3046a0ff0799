package dev.keep.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The answer to {@code GET /v1/jobs/{id}}. Exactly one of result and error is set when terminal. */
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
    ApiError error) {}
