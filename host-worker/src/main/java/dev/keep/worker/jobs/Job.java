package dev.keep.worker.jobs;

import dev.keep.schema.api.JobStatus;

/** A job as the worker sees it after claiming it: identity, request and attempt count. */
public record Job(
    String jobId,
    String tenantId,
    String keyId,
    String kind,
    String requestJson,
    JobStatus status,
    int attempts) {}
