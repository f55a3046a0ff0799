package dev.keep.api.webhooks;

import dev.keep.schema.api.DeliveryView;
import dev.keep.schema.tables.DeliveryAttributes;
import dev.keep.schema.tables.WebhookAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/** Reads and writes of the {@code webhooks} and {@code deliveries} tables. */
public final class WebhookStore {
  private final DynamoDbClient dynamo;
  private final String webhooksTable;
  private final String deliveriesTable;

  public WebhookStore(DynamoDbClient dynamo, String webhooksTable, String deliveriesTable) {
    this.dynamo = dynamo;
    this.webhooksTable = webhooksTable;
    this.deliveriesTable = deliveriesTable;
  }

  public String webhooksTable() {
    return webhooksTable;
  }

  /** A page of items and where the next starts (null on the last). */
  public record Page<T>(List<T> items, Map<String, AttributeValue> next) {}

  // ---- webhooks

  public void create(Webhook webhook) {
    dynamo.putItem(b -> b.tableName(webhooksTable).item(webhook.toItem())
        .conditionExpression("attribute_not_exists(#id)")
        .expressionAttributeNames(Map.of("#id", WebhookAttributes.WEBHOOK_ID)));
  }

  /** The webhook, if it exists and belongs to {@code tenantId} (another tenant's looks absent). */
  public Optional<Webhook> find(String webhookId, String tenantId) {
    return find(webhookId).filter(w -> w.tenantId().equals(tenantId));
  }

  public Optional<Webhook> find(String webhookId) {
    Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(webhooksTable).consistentRead(true)
        .key(Map.of(WebhookAttributes.WEBHOOK_ID, AttributeValue.fromS(webhookId)))).item();
    return item == null || item.isEmpty() ? Optional.empty() : Optional.of(Webhook.fromItem(item));
  }

  /** Every endpoint of a tenant (a tenant has at most a few dozen). */
  public List<Webhook> ofTenant(String tenantId) {
    List<Webhook> all = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      Page<Webhook> page = listOfTenant(tenantId, 100, start);
      all.addAll(page.items());
      start = page.next();
    } while (start != null);
    return all;
  }

  public Page<Webhook> listOfTenant(String tenantId, int limit, Map<String, AttributeValue> start) {
    QueryResponse r = dynamo.query(b -> b.tableName(webhooksTable).indexName("byTenant")
        .keyConditionExpression("#t = :t")
        .expressionAttributeNames(Map.of("#t", WebhookAttributes.TENANT_ID))
        .expressionAttributeValues(Map.of(":t", AttributeValue.fromS(tenantId)))
        .limit(limit).exclusiveStartKey(start));
    return new Page<>(r.items().stream().map(Webhook::fromItem).toList(), next(r));
  }

  /**
   * Replaces the webhook if it has not changed since {@code expectedUpdatedAt} (an optimistic lock:
   * two rotations or a rotation and a PATCH at once cannot lose one another's secret).
   *
   * @return false if it changed or vanished meanwhile
   */
  public boolean replace(Webhook webhook, String expectedUpdatedAt) {
    try {
      dynamo.putItem(b -> b.tableName(webhooksTable).item(webhook.toItem())
          .conditionExpression("#u = :u AND #t = :t")
          .expressionAttributeNames(Map.of("#u", WebhookAttributes.UPDATED_AT, "#t", WebhookAttributes.TENANT_ID))
          .expressionAttributeValues(Map.of(":u", AttributeValue.fromS(expectedUpdatedAt),
              ":t", AttributeValue.fromS(webhook.tenantId()))));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  public boolean delete(String webhookId, String tenantId) {
    try {
      dynamo.deleteItem(b -> b.tableName(webhooksTable)
          .key(Map.of(WebhookAttributes.WEBHOOK_ID, AttributeValue.fromS(webhookId)))
          .conditionExpression("#t = :t")
          .expressionAttributeNames(Map.of("#t", WebhookAttributes.TENANT_ID))
          .expressionAttributeValues(Map.of(":t", AttributeValue.fromS(tenantId))));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  /** Disables the endpoint with {@code reason}, if it exists and is enabled. */
  public void disable(String webhookId, String reason, Instant now) {
    try {
      dynamo.updateItem(b -> b.tableName(webhooksTable)
          .key(Map.of(WebhookAttributes.WEBHOOK_ID, AttributeValue.fromS(webhookId)))
          .updateExpression("SET #d = :true, #r = :r, #u = :u")
          .conditionExpression("attribute_exists(#id) AND #d = :false")
          .expressionAttributeNames(Map.of("#d", WebhookAttributes.DISABLED, "#r", WebhookAttributes.DISABLED_REASON,
              "#u", WebhookAttributes.UPDATED_AT, "#id", WebhookAttributes.WEBHOOK_ID))
          .expressionAttributeValues(Map.of(":true", AttributeValue.fromBool(true), ":false",
              AttributeValue.fromBool(false), ":r", AttributeValue.fromS(reason), ":u", AttributeValue.fromS(now.toString()))));
    } catch (ConditionalCheckFailedException e) {
      // deleted or already disabled: nothing to do
    }
  }

  /**
   * Notes a failed attempt: the first of a run sets {@code failingSince}. Answers when the run
   * began, so the caller can tell five days of failures.
   */
  public Optional<Instant> failing(String webhookId, Instant now) {
    try {
      Map<String, AttributeValue> after = dynamo.updateItem(b -> b.tableName(webhooksTable)
          .key(Map.of(WebhookAttributes.WEBHOOK_ID, AttributeValue.fromS(webhookId)))
          .updateExpression("SET #f = if_not_exists(#f, :now)")
          .conditionExpression("attribute_exists(#id)")
          .expressionAttributeNames(Map.of("#f", WebhookAttributes.FAILING_SINCE, "#id", WebhookAttributes.WEBHOOK_ID))
          .expressionAttributeValues(Map.of(":now", AttributeValue.fromS(now.toString())))
          .returnValues(software.amazon.awssdk.services.dynamodb.model.ReturnValue.ALL_NEW)).attributes();
      return Optional.of(Instant.parse(after.get(WebhookAttributes.FAILING_SINCE).s()));
    } catch (ConditionalCheckFailedException e) {
      return Optional.empty();
    }
  }

  /** A 2xx ends a run of failures. */
  public void succeeded(String webhookId) {
    try {
      dynamo.updateItem(b -> b.tableName(webhooksTable)
          .key(Map.of(WebhookAttributes.WEBHOOK_ID, AttributeValue.fromS(webhookId)))
          .updateExpression("REMOVE #f")
          .conditionExpression("attribute_exists(#f)")
          .expressionAttributeNames(Map.of("#f", WebhookAttributes.FAILING_SINCE)));
    } catch (ConditionalCheckFailedException e) {
      // not failing, or deleted
    }
  }

  // ---- deliveries

  /** Stores a new delivery; false if one with its id exists (the event was dispatched before). */
  public boolean createDelivery(Delivery delivery) {
    try {
      dynamo.putItem(b -> b.tableName(deliveriesTable).item(delivery.toItem())
          .conditionExpression("attribute_not_exists(#id)")
          .expressionAttributeNames(Map.of("#id", DeliveryAttributes.DELIVERY_ID)));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  public Optional<Delivery> findDelivery(String deliveryId) {
    Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(deliveriesTable).consistentRead(true)
        .key(Map.of(DeliveryAttributes.DELIVERY_ID, AttributeValue.fromS(deliveryId)))).item();
    return item == null || item.isEmpty() ? Optional.empty() : Optional.of(Delivery.fromItem(item));
  }

  /**
   * Records the outcome of the attempt {@code token} named, if that is still the delivery's current
   * attempt: appends it to the log (keeping the latest {@link Delivery#ATTEMPTS_KEPT}) and moves the
   * delivery to {@code status}, with {@code nextToken} and {@code nextAttemptAt} for a retry.
   *
   * @return false if another attempt, a resend or a replay got there first
   */
  public boolean recordAttempt(Delivery current, DeliveryView.Attempt attempt, Delivery.Status status, int step,
      String nextToken, String nextAttemptAt, Instant now) {
    List<DeliveryView.Attempt> log = new ArrayList<>(current.attempts());
    log.add(attempt);
    while (log.size() > Delivery.ATTEMPTS_KEPT) {
      log.removeFirst();
    }
    Map<String, String> names = Map.of("#tok", DeliveryAttributes.TOKEN, "#s", DeliveryAttributes.STATUS,
        "#a", DeliveryAttributes.ATTEMPTS, "#c", DeliveryAttributes.ATTEMPT_COUNT, "#st", DeliveryAttributes.STEP,
        "#n", DeliveryAttributes.NEXT_ATTEMPT_AT, "#u", DeliveryAttributes.UPDATED_AT);
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":old", AttributeValue.fromS(current.token()));
    values.put(":pending", AttributeValue.fromS(Delivery.Status.PENDING.name()));
    values.put(":tok", AttributeValue.fromS(nextToken));
    values.put(":s", AttributeValue.fromS(status.name()));
    values.put(":a", AttributeValue.fromL(log.stream().map(Delivery::attemptValue).toList()));
    values.put(":one", AttributeValue.fromN("1"));
    values.put(":st", AttributeValue.fromN(Integer.toString(step)));
    values.put(":n", AttributeValue.fromS(nextAttemptAt));
    values.put(":u", AttributeValue.fromS(now.toString()));
    try {
      dynamo.updateItem(b -> b.tableName(deliveriesTable)
          .key(Map.of(DeliveryAttributes.DELIVERY_ID, AttributeValue.fromS(current.deliveryId())))
          .updateExpression("SET #tok = :tok, #s = :s, #a = :a, #st = :st, #n = :n, #u = :u ADD #c :one")
          .conditionExpression("#tok = :old AND #s = :pending")
          .expressionAttributeNames(names)
          .expressionAttributeValues(values));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  /** Ends a delivery without an attempt (its endpoint is gone or disabled), if {@code token} is still current. */
  public boolean settle(Delivery current, Delivery.Status status, Instant now) {
    try {
      dynamo.updateItem(b -> b.tableName(deliveriesTable)
          .key(Map.of(DeliveryAttributes.DELIVERY_ID, AttributeValue.fromS(current.deliveryId())))
          .updateExpression("SET #s = :s, #u = :u")
          .conditionExpression("#tok = :old AND #s = :pending")
          .expressionAttributeNames(Map.of("#s", DeliveryAttributes.STATUS, "#u", DeliveryAttributes.UPDATED_AT,
              "#tok", DeliveryAttributes.TOKEN))
          .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(status.name()), ":u",
              AttributeValue.fromS(now.toString()), ":old", AttributeValue.fromS(current.token()), ":pending",
              AttributeValue.fromS(Delivery.Status.PENDING.name()))));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  /**
   * Starts a new run of the schedule (a resend or a replay): PENDING, step 0, a new token, due now.
   * Any message still queued for the delivery carries the old token and will be dropped.
   */
  public void restart(String deliveryId, String token, Instant now) {
    dynamo.updateItem(b -> b.tableName(deliveriesTable)
        .key(Map.of(DeliveryAttributes.DELIVERY_ID, AttributeValue.fromS(deliveryId)))
        .updateExpression("SET #s = :pending, #st = :zero, #tok = :tok, #n = :now, #u = :now")
        .conditionExpression("attribute_exists(#id)")
        .expressionAttributeNames(Map.of("#s", DeliveryAttributes.STATUS, "#st", DeliveryAttributes.STEP,
            "#tok", DeliveryAttributes.TOKEN, "#n", DeliveryAttributes.NEXT_ATTEMPT_AT, "#u", DeliveryAttributes.UPDATED_AT,
            "#id", DeliveryAttributes.DELIVERY_ID))
        .expressionAttributeValues(Map.of(":pending", AttributeValue.fromS(Delivery.Status.PENDING.name()),
            ":zero", AttributeValue.fromN("0"), ":tok", AttributeValue.fromS(token),
            ":now", AttributeValue.fromS(now.toString()))));
  }

  /** A delivery log page, newest first, through {@code index} ({@code byWebhook} or {@code byJob}). */
  public Page<Delivery> deliveries(String index, String partitionAttribute, String partition,
      Optional<Delivery.Status> status, int limit, Map<String, AttributeValue> start, boolean newestFirst) {
    Map<String, String> names = new HashMap<>(Map.of("#p", partitionAttribute));
    Map<String, AttributeValue> values = new HashMap<>(Map.of(":p", AttributeValue.fromS(partition)));
    String filter = null;
    if (status.isPresent()) {
      names.put("#s", DeliveryAttributes.STATUS);
      values.put(":s", AttributeValue.fromS(status.get().name()));
      filter = "#s = :s";
    }
    String f = filter;
    QueryResponse r = dynamo.query(b -> b.tableName(deliveriesTable).indexName(index)
        .keyConditionExpression("#p = :p")
        .filterExpression(f)
        .expressionAttributeNames(names).expressionAttributeValues(values)
        .scanIndexForward(!newestFirst).limit(limit).exclusiveStartKey(start));
    return new Page<>(r.items().stream().map(Delivery::fromItem).toList(), next(r));
  }

  /** An endpoint's deliveries made at or after {@code since}, oldest first. */
  public Page<Delivery> deliveriesSince(String webhookId, String since, int limit, Map<String, AttributeValue> start) {
    QueryResponse r = dynamo.query(b -> b.tableName(deliveriesTable).indexName("byWebhook")
        .keyConditionExpression("#p = :p AND #c >= :since")
        .expressionAttributeNames(Map.of("#p", DeliveryAttributes.WEBHOOK_ID, "#c", DeliveryAttributes.CREATED_AT))
        .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(webhookId), ":since", AttributeValue.fromS(since)))
        .limit(limit).exclusiveStartKey(start));
    return new Page<>(r.items().stream().map(Delivery::fromItem).toList(), next(r));
  }

  private static Map<String, AttributeValue> next(QueryResponse r) {
    return r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
  }
}
