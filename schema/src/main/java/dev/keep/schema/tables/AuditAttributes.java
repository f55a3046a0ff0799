package dev.keep.schema.tables;

/** Attribute names of the {@code audit} table (one record per terminal job). */
public final class AuditAttributes {
  public static final String JOB_ID = "jobId";
  public static final String TENANT_ID = "tenantId";
  public static final String KEY_ID = "keyId";
  public static final String KIND = "kind";
  /** SHA-256 (hex) of the job's request JSON. */
  public static final String REQUEST_DIGEST = "requestDigest";
  /** SIGNED, REJECTED or FAILED. */
  public static final String DECISION = "decision";
  /** SHA-256 (hex) of the result JSON, or of the error code and message. */
  public static final String RESULT_DIGEST = "resultDigest";
  public static final String REASON = "reason";
  public static final String RECORDED_AT = "recordedAt";
  public static final String WORKER_ID = "workerId";
  public static final String ATTEMPTS = "attempts";

  private AuditAttributes() {}
}
