package dev.keep.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.keep.schema.audit.SignedReceipt;

/**
 * One job's audit record as {@code GET /v1/audit} lists it (issue 19). The host wrote every field
 * but {@code receipt}; the receipt is the enclave's signed word on the decision, present when the
 * enclave decided (absent for a job that failed before it did, or whose key the enclave did not
 * hold). {@code requestDigest} and {@code resultDigest} here are the host's: SHA-256 of the stored
 * request body and of the stored result; the receipt carries the enclave's own.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditRecordView(
    String jobId,
    String keyId,
    String kind,
    String decision,
    String reason,
    String recordedAt,
    int attempts,
    String requestDigest,
    String resultDigest,
    SignedReceipt receipt) {}
