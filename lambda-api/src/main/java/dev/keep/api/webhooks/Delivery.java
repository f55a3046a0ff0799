package dev.keep.api.webhooks;

import static dev.keep.schema.tables.DeliveryAttributes.AT;
import static dev.keep.schema.tables.DeliveryAttributes.ATTEMPTS;
import static dev.keep.schema.tables.DeliveryAttributes.ATTEMPT_COUNT;
import static dev.keep.schema.tables.DeliveryAttributes.BATCH_ID;
import static dev.keep.schema.tables.DeliveryAttributes.CREATED_AT;
import static dev.keep.schema.tables.DeliveryAttributes.DELIVERY_ID;
import static dev.keep.schema.tables.DeliveryAttributes.ERROR;
import static dev.keep.schema.tables.DeliveryAttributes.EVENT_TYPE;
import static dev.keep.schema.tables.DeliveryAttributes.EXPIRES_AT;
import static dev.keep.schema.tables.DeliveryAttributes.HTTP_STATUS;
import static dev.keep.schema.tables.DeliveryAttributes.JOB_ID;
import static dev.keep.schema.tables.DeliveryAttributes.LATENCY_MS;
import static dev.keep.schema.tables.DeliveryAttributes.MESSAGE_ID;
import static dev.keep.schema.tables.DeliveryAttributes.NEXT_ATTEMPT_AT;
import static dev.keep.schema.tables.DeliveryAttributes.PAYLOAD;
import static dev.keep.schema.tables.DeliveryAttributes.RESPONSE;
import static dev.keep.schema.tables.DeliveryAttributes.STATUS;
import static dev.keep.schema.tables.DeliveryAttributes.STEP;
import static dev.keep.schema.tables.DeliveryAttributes.TENANT_ID;
import static dev.keep.schema.tables.DeliveryAttributes.TOKEN;
import static dev.keep.schema.tables.DeliveryAttributes.UPDATED_AT;
import static dev.keep.schema.tables.DeliveryAttributes.WEBHOOK_ID;

import dev.keep.schema.api.DeliveryView;
import dev.keep.schema.webhook.EventType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** One event's delivery to one endpoint, as stored in the {@code deliveries} table. */
public record Delivery(String deliveryId, String webhookId, String tenantId, String messageId, EventType eventType,
    String jobId, String batchId, String payload, Status status, int attemptCount, int step, String token,
    String nextAttemptAt, String createdAt, String updatedAt, List<DeliveryView.Attempt> attempts) {

  /** See {@link DeliveryView}. */
  public enum Status { PENDING, SUCCEEDED, FAILED, SKIPPED }

  /** How long the log keeps a delivery: longer than the whole retry schedule (75 h) and a month of replays. */
  public static final Duration KEPT = Duration.ofDays(30);
  /** The log keeps this many attempts per delivery, the latest; {@code attemptCount} counts them all. */
  public static final int ATTEMPTS_KEPT = 50;

  private static final SecureRandom RANDOM = new SecureRandom();

  public Delivery {
    attempts = List.copyOf(attempts);
  }

  /**
   * The {@code webhook-id} of an event, derived from what the event is about, so that a stream
   * record read twice makes the same message: {@code msg_} and 32 hex digits of SHA-256.
   */
  public static String messageId(String subject) {
    return "msg_" + hash("keep/webhook/message/v1|" + subject);
  }

  /** One delivery per message and endpoint: a second dispatch of the same event finds it made. */
  public static String deliveryId(String webhookId, String messageId) {
    return "dlv_" + hash("keep/webhook/delivery/v1|" + webhookId + "|" + messageId);
  }

  public static String newToken() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static String hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public DeliveryView view() {
    return new DeliveryView(deliveryId, webhookId, messageId, eventType.wire(), jobId, batchId, status.name(),
        attemptCount, status == Status.PENDING ? nextAttemptAt : null, createdAt, updatedAt, attempts);
  }

  Map<String, AttributeValue> toItem() {
    var item = new HashMap<String, AttributeValue>();
    item.put(DELIVERY_ID, s(deliveryId));
    item.put(WEBHOOK_ID, s(webhookId));
    item.put(TENANT_ID, s(tenantId));
    item.put(MESSAGE_ID, s(messageId));
    item.put(EVENT_TYPE, s(eventType.wire()));
    if (jobId != null) {
      item.put(JOB_ID, s(jobId));
    }
    if (batchId != null) {
      item.put(BATCH_ID, s(batchId));
    }
    item.put(PAYLOAD, s(payload));
    item.put(STATUS, s(status.name()));
    item.put(ATTEMPT_COUNT, n(attemptCount));
    item.put(STEP, n(step));
    item.put(TOKEN, s(token));
    item.put(NEXT_ATTEMPT_AT, s(nextAttemptAt));
    item.put(CREATED_AT, s(createdAt));
    item.put(UPDATED_AT, s(updatedAt));
    item.put(ATTEMPTS, AttributeValue.fromL(
        attempts.stream().map(Delivery::attemptValue).toList()));
    item.put(EXPIRES_AT, n(Instant.parse(createdAt).plus(KEPT).getEpochSecond()));
    return item;
  }

  static AttributeValue attemptValue(DeliveryView.Attempt a) {
    var m = new HashMap<String, AttributeValue>();
    m.put(AT, s(a.at()));
    if (a.httpStatus() != null) {
      m.put(HTTP_STATUS, n(a.httpStatus()));
    }
    m.put(LATENCY_MS, n(a.latencyMs()));
    if (a.response() != null) {
      m.put(RESPONSE, s(a.response()));
    }
    if (a.error() != null) {
      m.put(ERROR, s(a.error()));
    }
    return AttributeValue.fromM(m);
  }

  static Delivery fromItem(Map<String, AttributeValue> item) {
    List<DeliveryView.Attempt> attempts = item.get(ATTEMPTS).l().stream().map(v -> {
      var m = v.m();
      return new DeliveryView.Attempt(m.get(AT).s(),
          m.containsKey(HTTP_STATUS) ? Integer.valueOf(m.get(HTTP_STATUS).n()) : null,
          Long.parseLong(m.get(LATENCY_MS).n()),
          m.containsKey(RESPONSE) ? m.get(RESPONSE).s() : null,
          m.containsKey(ERROR) ? m.get(ERROR).s() : null);
    }).toList();
    return new Delivery(item.get(DELIVERY_ID).s(), item.get(WEBHOOK_ID).s(), item.get(TENANT_ID).s(),
        item.get(MESSAGE_ID).s(), EventType.of(item.get(EVENT_TYPE).s()),
        item.containsKey(JOB_ID) ? item.get(JOB_ID).s() : null,
        item.containsKey(BATCH_ID) ? item.get(BATCH_ID).s() : null,
        item.get(PAYLOAD).s(), Status.valueOf(item.get(STATUS).s()),
        Integer.parseInt(item.get(ATTEMPT_COUNT).n()), Integer.parseInt(item.get(STEP).n()), item.get(TOKEN).s(),
        item.get(NEXT_ATTEMPT_AT).s(), item.get(CREATED_AT).s(), item.get(UPDATED_AT).s(), attempts);
  }

  private static AttributeValue s(String v) {
    return AttributeValue.fromS(v);
  }

  private static AttributeValue n(long v) {
    return AttributeValue.fromN(Long.toString(v));
  }
}
