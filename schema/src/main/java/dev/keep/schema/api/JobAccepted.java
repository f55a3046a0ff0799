package dev.keep.schema.api;

/** The {@code 202} answer to {@code POST /v1/jobs}. */
public record JobAccepted(String jobId, JobStatus status) {}
