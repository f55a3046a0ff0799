package dev.keep.schema.api;

/**
 * A boot's archived attestation document ({@code GET /v1/attestations/{bootId}}, issue 19): the
 * COSE_Sign1 bytes in base64, whose SHA-256 is {@code bootId}, and the audit key its {@code
 * user_data} commits to. Verify it offline with {@code keep audit verify} or {@code keep
 * attestation verify}.
 */
public record AttestationView(String bootId, String mode, String auditKey, String document, String recordedAt) {}
