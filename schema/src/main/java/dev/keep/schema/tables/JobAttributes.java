package dev.keep.schema.tables;

/**
 * Attribute names of the {@code jobs} table. The API writes jobs and the worker moves them along,
 * so both read the names from here.
 */
public final class JobAttributes {
  public static final String JOB_ID = "jobId";
  public static final String TENANT_ID = "tenantId";
  public static final String KEY_ID = "keyId";
  public static final String KIND = "kind";
  /** The validated request body, as JSON. */
  public static final String REQUEST = "request";
  public static final String STATUS = "status";
  public static final String CREATED_AT = "createdAt";
  public static final String UPDATED_AT = "updatedAt";
  public static final String FINISHED_AT = "finishedAt";
  public static final String ATTEMPTS = "attempts";
  public static final String LEASE_OWNER = "leaseOwner";
  /** Epoch milliseconds; a RUNNING job whose lease expired may be claimed by another worker. */
  public static final String LEASE_EXPIRES_AT = "leaseExpiresAt";
  /** Present only while QUEUED: the partition of the sparse {@code pending} index. */
  public static final String PENDING_SHARD = "pendingShard";
  /** The result JSON of a SIGNED job. */
  public static final String RESULT = "result";
  public static final String ERROR_CODE = "errorCode";
  public static final String ERROR_MESSAGE = "errorMessage";
  /** Set on a job made by {@code POST /v1/batches}: its batch, its place in it, and its reference. */
  public static final String BATCH_ID = "batchId";
  public static final String BATCH_INDEX = "batchIndex";
  public static final String REFERENCE = "reference";

  /** The only value of {@link #PENDING_SHARD} for now; more shards if the sweeper gets hot. */
  public static final String PENDING_SHARD_0 = "p0";

  private JobAttributes() {}
}
