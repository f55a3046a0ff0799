package dev.keep.schema.tables;

/** Attribute names of the {@code deliveries} table: the dispatcher makes items, the sender moves them along. */
public final class DeliveryAttributes {
  public static final String DELIVERY_ID = "deliveryId";
  public static final String WEBHOOK_ID = "webhookId";
  public static final String TENANT_ID = "tenantId";
  /** The {@code webhook-id} header: the event's id, the same for every endpoint and every attempt. */
  public static final String MESSAGE_ID = "messageId";
  public static final String EVENT_TYPE = "eventType";
  /** Set for job events only: the partition of the sparse {@code byJob} index. */
  public static final String JOB_ID = "jobId";
  public static final String BATCH_ID = "batchId";
  /** The body exactly as it is signed and sent, on every attempt. */
  public static final String PAYLOAD = "payload";
  public static final String STATUS = "status";
  /** A list of maps, one per attempt: at, httpStatus, latencyMs, response, error. */
  public static final String ATTEMPTS = "attempts";
  public static final String ATTEMPT_COUNT = "attemptCount";
  /** Where in the retry schedule the current run stands (a resend or a replay starts a new run at 0). */
  public static final String STEP = "step";
  /** The attempt the next queue message must name; any other message for this delivery is stale. */
  public static final String TOKEN = "token";
  public static final String NEXT_ATTEMPT_AT = "nextAttemptAt";
  public static final String CREATED_AT = "createdAt";
  public static final String UPDATED_AT = "updatedAt";
  /** Epoch seconds; DynamoDB's TTL deletes the delivery after it. */
  public static final String EXPIRES_AT = "expiresAt";

  public static final String AT = "at";
  public static final String HTTP_STATUS = "httpStatus";
  public static final String LATENCY_MS = "latencyMs";
  public static final String RESPONSE = "response";
  public static final String ERROR = "error";

  private DeliveryAttributes() {}
}
