package dev.keep.api.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keep.api.http.ApiRequest;
import dev.keep.api.http.HttpApiResponse;
import dev.keep.api.http.ProblemException;
import dev.keep.api.http.ProblemType;
import dev.keep.api.idempotency.IdempotencyStore;
import dev.keep.api.jobs.Cursor;
import dev.keep.api.jobs.JobRepository;
import dev.keep.api.jobs.JobsApi;
import dev.keep.schema.api.DeliveryPage;
import dev.keep.schema.api.ReplayAccepted;
import dev.keep.schema.api.WebhookPage;
import dev.keep.schema.api.WebhookView;
import dev.keep.schema.encoding.ContractSchema;
import dev.keep.schema.encoding.Echo;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.encoding.SchemaViolation;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.queue.DeliveryMessage;
import dev.keep.schema.tables.DeliveryAttributes;
import dev.keep.schema.tables.SortableInstant;
import dev.keep.schema.tables.WebhookAttributes;
import dev.keep.schema.webhook.EventType;
import dev.keep.schema.webhook.WebhookEvent;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The webhook routes: the registry ({@code /v1/webhooks}, {@code /{id}}), secret rotation, a test
 * event, the delivery log ({@code /{id}/deliveries}, {@code /v1/jobs/{id}/deliveries}), resend and
 * replay. Every route is the tenant's own: another tenant's webhook or delivery is answered 404, as
 * an unknown one is.
 *
 * <p>The POST routes honour {@code Idempotency-Key} as the job routes do. The first answer of a
 * create or a rotation holds the new secret, which Keep stores nowhere in plaintext: the idempotency
 * record keeps the answer without it, and a retry is answered with the secret decrypted again.
 */
public final class WebhooksApi {
  public static final int MAX_WEBHOOKS_PER_TENANT = 20;
  /** How long the secret a rotation replaced still signs deliveries. */
  public static final Duration ROTATION_OVERLAP = Duration.ofHours(24);
  /** The most deliveries one replay request queues again. */
  public static final int MAX_REPLAY = 5_000;
  private static final int MAX_BODY_BYTES = 16 * 1024;
  private static final Pattern WEBHOOK_ID = Pattern.compile("wh_[0-9a-f]{32}");
  private static final Pattern DELIVERY_ID = Pattern.compile("dlv_[0-9a-f]{32}");

  private final DynamoDbClient dynamo;
  private final WebhookStore store;
  private final SecretBox secrets;
  private final EndpointRules rules;
  private final DeliveryQueue queue;
  private final IdempotencyStore idempotency;
  private final JobRepository jobs;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public WebhooksApi(DynamoDbClient dynamo, WebhookStore store, SecretBox secrets, EndpointRules rules,
      DeliveryQueue queue, IdempotencyStore idempotency, JobRepository jobs, Clock clock) {
    this.dynamo = dynamo;
    this.store = store;
    this.secrets = secrets;
    this.rules = rules;
    this.queue = queue;
    this.idempotency = idempotency;
    this.jobs = jobs;
    this.clock = clock;
  }

  // ---- registry

  public HttpApiResponse create(ApiRequest request) {
    JsonNode body = parse(request, ContractSchema.WEBHOOK_CREATE);
    String url = checkUrl(body.get("url").asText(), "url");
    List<EventType> types = eventTypes(body.get("eventTypes"));
    String description = body.hasNonNull("description") ? body.get("description").asText() : null;
    String tenantId = request.tenant().tenantId();
    if (store.ofTenant(tenantId).size() >= MAX_WEBHOOKS_PER_TENANT) {
      throw new ProblemException(ProblemType.INVALID, "tenant " + tenantId + " has " + MAX_WEBHOOKS_PER_TENANT
          + " webhooks, the most it may have; delete one first");
    }
    Instant now = clock.instant();
    String webhookId = "wh_" + HexFormat.of().formatHex(randomBytes(16));
    WebhookSecret secret = WebhookSecret.random(random);
    try {
      byte[] sealed = secrets.seal(secret, tenantId, webhookId);
      Webhook webhook = new Webhook(webhookId, tenantId, url, types, description, false, null, null,
          SortableInstant.of(now), now.toString(), List.of(new Webhook.StoredSecret(sealed, now.toString(), null)));
      WebhookView view = webhook.view();
      Optional<IdempotencyStore.Request> idem = idempotencyOf(request, body);
      if (idem.isEmpty()) {
        store.create(webhook);
      } else {
        try {
          dynamo.transactWriteItems(b -> b.transactItems(
              TransactWriteItem.builder().put(idempotency.claim(idem.get(), IdempotencyStore.State.ANSWERED, 201,
                  Json.write(view), webhookId, now)).build(),
              TransactWriteItem.builder().put(p -> p.tableName(storeTable()).item(webhook.toItem())).build()));
        } catch (TransactionCanceledException e) {
          IdempotencyStore.Stored winner = idempotency.winner(e, 0).orElseThrow(() -> e);
          return withCurrentSecret(IdempotencyStore.replay(winner, idem.get()), winner.resourceId(), tenantId);
        }
      }
      return HttpApiResponse.json(201, view.withSecret(secret.reveal()));
    } finally {
      secret.destroy();
    }
  }

  public HttpApiResponse list(ApiRequest request) {
    String tenantId = request.tenant().tenantId();
    int limit = JobsApi.limit(request.param("limit"));
    Map<String, AttributeValue> start = request.param("cursor")
        .map(c -> withPartition(Cursor.decode(c, tenantId, "webhooks", WEBHOOK_CURSOR), WebhookAttributes.TENANT_ID, tenantId))
        .orElse(null);
    WebhookStore.Page<Webhook> page = store.listOfTenant(tenantId, limit, start);
    return HttpApiResponse.json(200, new WebhookPage(page.items().stream().map(Webhook::view).toList(),
        page.next() == null ? null : Cursor.encode(tenantId, "webhooks", page.next())));
  }

  public HttpApiResponse get(ApiRequest request) {
    return HttpApiResponse.json(200, webhook(request).view());
  }

  public HttpApiResponse patch(ApiRequest request) {
    JsonNode body = parse(request, ContractSchema.WEBHOOK_PATCH);
    Webhook current = webhook(request);
    String url = body.has("url") ? checkUrl(body.get("url").asText(), "url") : current.url();
    List<EventType> types = body.has("eventTypes") ? eventTypes(body.get("eventTypes")) : current.eventTypes();
    String description = body.has("description") ? body.get("description").asText() : current.description();
    boolean disabled = body.has("disabled") ? body.get("disabled").asBoolean() : current.disabled();
    String reason = disabled
        ? (body.has("disabled") && !current.disabled() ? "disabled by its owner" : current.disabledReason())
        : null;
    Instant now = clock.instant();
    // Enabling an endpoint again starts its count of failing days afresh.
    String failingSince = disabled || !current.disabled() ? current.failingSince() : null;
    Webhook changed = new Webhook(current.webhookId(), current.tenantId(), url, types, description, disabled, reason,
        failingSince, current.createdAt(), now.toString(), current.secrets());
    if (!store.replace(changed, current.updatedAt())) {
      throw conflict();
    }
    return HttpApiResponse.json(200, changed.view());
  }

  public HttpApiResponse delete(ApiRequest request) {
    Webhook current = webhook(request);
    if (!store.delete(current.webhookId(), current.tenantId())) {
      throw notFound("webhook", request.pathId());
    }
    return new HttpApiResponse(204, Map.of("cache-control", "no-store"), null, false);
  }

  /**
   * A new secret, which signs from now on; the one it replaces keeps signing beside it for {@link
   * #ROTATION_OVERLAP}, so receivers can switch without missing a delivery.
   */
  public HttpApiResponse rotate(ApiRequest request) {
    JsonNode body = parseOptional(request);
    Webhook current = webhook(request);
    Optional<IdempotencyStore.Request> idem = idempotencyOf(request, body);
    Instant now = clock.instant();
    WebhookSecret secret = WebhookSecret.random(random);
    try {
      byte[] sealed = secrets.seal(secret, current.tenantId(), current.webhookId());
      List<Webhook.StoredSecret> kept = new ArrayList<>();
      kept.add(new Webhook.StoredSecret(sealed, now.toString(), null));
      for (Webhook.StoredSecret old : current.liveSecrets(now)) {
        kept.add(old.expiresAt() != null ? old
            : new Webhook.StoredSecret(old.ciphertext(), old.createdAt(), now.plus(ROTATION_OVERLAP).toString()));
      }
      Webhook rotated = new Webhook(current.webhookId(), current.tenantId(), current.url(), current.eventTypes(),
          current.description(), current.disabled(), current.disabledReason(), current.failingSince(),
          current.createdAt(), now.toString(), kept);
      WebhookView view = rotated.view();
      if (idem.isEmpty()) {
        if (!store.replace(rotated, current.updatedAt())) {
          throw conflict();
        }
      } else {
        try {
          dynamo.transactWriteItems(b -> b.transactItems(
              TransactWriteItem.builder().put(idempotency.claim(idem.get(), IdempotencyStore.State.ANSWERED, 200,
                  Json.write(view), current.webhookId(), now)).build(),
              TransactWriteItem.builder().put(p -> p.tableName(storeTable()).item(rotated.toItem())
                  .conditionExpression("#u = :u")
                  .expressionAttributeNames(Map.of("#u", WebhookAttributes.UPDATED_AT))
                  .expressionAttributeValues(Map.of(":u", AttributeValue.fromS(current.updatedAt())))).build()));
        } catch (TransactionCanceledException e) {
          Optional<IdempotencyStore.Stored> winner = idempotency.winner(e, 0);
          if (winner.isEmpty()) {
            throw conflict();
          }
          return withCurrentSecret(IdempotencyStore.replay(winner.get(), idem.get()), current.webhookId(),
              current.tenantId());
        }
      }
      return HttpApiResponse.json(200, view.withSecret(secret.reveal()));
    } finally {
      secret.destroy();
    }
  }

  // ---- events

  /** Queues a {@code webhook.test} event to this endpoint now, whatever it subscribes to. */
  public HttpApiResponse test(ApiRequest request) {
    JsonNode body = parseOptional(request);
    Webhook webhook = webhook(request);
    return once(request, body, () -> {
      Instant now = clock.instant();
      String messageId = "msg_" + HexFormat.of().formatHex(randomBytes(16));
      String payload = Json.write(new WebhookEvent(EventType.WEBHOOK_TEST, now.toString(),
          new WebhookEvent.TestData(webhook.webhookId(), "a test event from Keep; it is signed like every delivery")));
      Webhook subscribed = new Webhook(webhook.webhookId(), webhook.tenantId(), webhook.url(),
          List.of(EventType.WEBHOOK_TEST), webhook.description(), webhook.disabled(), webhook.disabledReason(),
          webhook.failingSince(), webhook.createdAt(), webhook.updatedAt(), webhook.secrets());
      Delivery delivery = EventDispatcher.newDelivery(subscribed, EventType.WEBHOOK_TEST, messageId, payload, null,
          null, now);
      store.createDelivery(delivery);
      if (delivery.status() == Delivery.Status.PENDING) {
        queue.send(DeliveryMessage.of(delivery.deliveryId(), delivery.token(), delivery.nextAttemptAt()), now);
      }
      return HttpApiResponse.json(202, delivery.view());
    });
  }

  /** Sends a delivery again: the same {@code webhook-id} and body, a new timestamp and signature, the schedule from its start. */
  public HttpApiResponse resend(ApiRequest request) {
    JsonNode body = parseOptional(request);
    Webhook webhook = webhook(request);
    if (webhook.disabled()) {
      throw new ProblemException(ProblemType.INVALID, "webhook " + webhook.webhookId() + " is disabled; enable it"
          + " (PATCH {\"disabled\": false}) before resending");
    }
    Delivery delivery = delivery(request, webhook);
    return once(request, body, () -> {
      Instant now = clock.instant();
      String token = Delivery.newToken();
      store.restart(delivery.deliveryId(), token, now);
      queue.send(DeliveryMessage.of(delivery.deliveryId(), token, now.toString()), now);
      return HttpApiResponse.json(202, store.findDelivery(delivery.deliveryId()).orElseThrow().view());
    });
  }

  /**
   * Queues again this endpoint's deliveries made since {@code since}: by default those it has not
   * acknowledged with a 2xx (failed, skipped while it was disabled, or still waiting for a retry,
   * whose scheduled attempt is then dropped), or with {@code "all": true} every one.
   */
  public HttpApiResponse replay(ApiRequest request) {
    JsonNode body = parse(request, ContractSchema.WEBHOOK_REPLAY);
    Webhook webhook = webhook(request);
    if (webhook.disabled()) {
      throw new ProblemException(ProblemType.INVALID, "webhook " + webhook.webhookId() + " is disabled; enable it"
          + " (PATCH {\"disabled\": false}) before a replay");
    }
    Instant since;
    try {
      since = Instant.parse(body.get("since").asText());
    } catch (DateTimeParseException e) {
      throw ProblemException.field(ProblemType.INVALID, "since", "must be an ISO-8601 instant such as 2026-12-02T12:00:00Z");
    }
    boolean all = body.path("all").asBoolean(false);
    return once(request, body, () -> {
      Instant now = clock.instant();
      List<DeliveryMessage> messages = new ArrayList<>();
      Map<String, AttributeValue> start = null;
      String lastCreated = null;
      boolean complete = true;
      do {
        WebhookStore.Page<Delivery> page = store.deliveriesSince(webhook.webhookId(), SortableInstant.of(since), 100, start);
        for (Delivery d : page.items()) {
          lastCreated = d.createdAt();
          if (!all && d.status() == Delivery.Status.SUCCEEDED) {
            continue;
          }
          String token = Delivery.newToken();
          store.restart(d.deliveryId(), token, now);
          messages.add(DeliveryMessage.of(d.deliveryId(), token, now.toString()));
        }
        start = page.next();
        if (messages.size() >= MAX_REPLAY && start != null) {
          complete = false;
          break;
        }
      } while (start != null);
      queue.sendAll(messages, now);
      return HttpApiResponse.json(202, new ReplayAccepted(webhook.webhookId(), since.toString(), messages.size(), complete,
          complete ? null : lastCreated));
    });
  }

  // ---- the delivery log

  private static final Set<String> DELIVERY_CURSOR =
      Set.of(DeliveryAttributes.DELIVERY_ID, DeliveryAttributes.WEBHOOK_ID, DeliveryAttributes.CREATED_AT);
  private static final Set<String> JOB_DELIVERY_CURSOR =
      Set.of(DeliveryAttributes.DELIVERY_ID, DeliveryAttributes.JOB_ID, DeliveryAttributes.CREATED_AT);
  private static final Set<String> WEBHOOK_CURSOR =
      Set.of(WebhookAttributes.WEBHOOK_ID, WebhookAttributes.TENANT_ID, WebhookAttributes.CREATED_AT);

  public HttpApiResponse deliveries(ApiRequest request) {
    Webhook webhook = webhook(request);
    String tenantId = request.tenant().tenantId();
    String listing = "deliveries:" + webhook.webhookId();
    Optional<Delivery.Status> status = request.param("status").map(s -> {
      try {
        return Delivery.Status.valueOf(s);
      } catch (IllegalArgumentException e) {
        throw ProblemException.field(ProblemType.INVALID, "query.status", "must be one of "
            + java.util.Arrays.toString(Delivery.Status.values()) + ", got '" + Echo.of(s) + "'");
      }
    });
    int limit = JobsApi.limit(request.param("limit"));
    Map<String, AttributeValue> start = request.param("cursor")
        .map(c -> withPartition(Cursor.decode(c, tenantId, listing, DELIVERY_CURSOR), DeliveryAttributes.WEBHOOK_ID,
            webhook.webhookId()))
        .orElse(null);
    WebhookStore.Page<Delivery> page = store.deliveries("byWebhook", DeliveryAttributes.WEBHOOK_ID, webhook.webhookId(),
        status, limit, start, true);
    return HttpApiResponse.json(200, new DeliveryPage(page.items().stream().map(Delivery::view).toList(),
        page.next() == null ? null : Cursor.encode(tenantId, listing, page.next())));
  }

  /** {@code GET /v1/jobs/{id}/deliveries}: every delivery of the job's events, to any of the tenant's endpoints. */
  public HttpApiResponse jobDeliveries(ApiRequest request) {
    String jobId = request.pathId();
    String tenantId = request.tenant().tenantId();
    if (!EnclaveRequest.JOB_ID.matcher(jobId).matches() || jobs.find(jobId, tenantId).isEmpty()) {
      throw notFound("job", jobId);
    }
    String listing = "job-deliveries:" + jobId;
    int limit = JobsApi.limit(request.param("limit"));
    Map<String, AttributeValue> start = request.param("cursor")
        .map(c -> withPartition(Cursor.decode(c, tenantId, listing, JOB_DELIVERY_CURSOR), DeliveryAttributes.JOB_ID, jobId))
        .orElse(null);
    WebhookStore.Page<Delivery> page = store.deliveries("byJob", DeliveryAttributes.JOB_ID, jobId, Optional.empty(),
        limit, start, true);
    List<Delivery> own = page.items().stream().filter(d -> d.tenantId().equals(tenantId)).toList();
    return HttpApiResponse.json(200, new DeliveryPage(own.stream().map(Delivery::view).toList(),
        page.next() == null ? null : Cursor.encode(tenantId, listing, page.next())));
  }

  // ---- shared

  private String storeTable() {
    return store.webhooksTable();
  }

  private Webhook webhook(ApiRequest request) {
    String id = request.pathId();
    if (!WEBHOOK_ID.matcher(id).matches()) {
      throw notFound("webhook", id);
    }
    return store.find(id, request.tenant().tenantId()).orElseThrow(() -> notFound("webhook", id));
  }

  private Delivery delivery(ApiRequest request, Webhook webhook) {
    String id = request.subId();
    if (!DELIVERY_ID.matcher(id).matches()) {
      throw notFound("delivery", id);
    }
    return store.findDelivery(id).filter(d -> d.webhookId().equals(webhook.webhookId()))
        .orElseThrow(() -> notFound("delivery", id));
  }

  private static ProblemException notFound(String what, String id) {
    return new ProblemException(ProblemType.NOT_FOUND, "no " + what + " '" + Echo.of(id) + "'");
  }

  private static ProblemException conflict() {
    return new ProblemException(ProblemType.CONFLICT, "the webhook changed while this request was answered; retry");
  }

  private String checkUrl(String url, String field) {
    try {
      return rules.check(url).toString();
    } catch (EndpointRules.Refused e) {
      throw ProblemException.field(ProblemType.INVALID, field, e.getMessage());
    }
  }

  private static List<EventType> eventTypes(JsonNode node) {
    List<EventType> types = new ArrayList<>();
    node.forEach(n -> types.add(EventType.of(n.asText())));
    return types;
  }

  private static JsonNode parse(ApiRequest request, ContractSchema schema) {
    String text = JobsApi.text(JobsApi.body(request.event(), MAX_BODY_BYTES));
    try {
      return schema.parse(text);
    } catch (SchemaViolation e) {
      throw ProblemException.of(e);
    }
  }

  /** A POST that takes no fields: no body, or an empty object. */
  private static JsonNode parseOptional(ApiRequest request) {
    byte[] bytes = JobsApi.body(request.event(), MAX_BODY_BYTES);
    if (bytes.length == 0) {
      return Json.MAPPER.createObjectNode();
    }
    JsonNode node;
    try {
      node = ContractSchema.read(JobsApi.text(bytes));
    } catch (SchemaViolation e) {
      throw ProblemException.of(e);
    }
    if (!node.isObject() || !node.isEmpty()) {
      throw ProblemException.field(ProblemType.INVALID, "body", "this route takes no fields; send {} or nothing");
    }
    return node;
  }

  private Optional<IdempotencyStore.Request> idempotencyOf(ApiRequest request, JsonNode body) {
    return IdempotencyStore.key(request.event().header(IdempotencyStore.HEADER))
        .map(k -> JobsApi.idempotent(request, k, body));
  }

  /**
   * Runs {@code action} once per idempotency key: the key is claimed (PENDING) first, the answer
   * stored after; a retry gets the stored answer, or 409 while the first is still running.
   */
  private HttpApiResponse once(ApiRequest request, JsonNode body, Supplier<HttpApiResponse> action) {
    Optional<IdempotencyStore.Request> idem = idempotencyOf(request, body);
    if (idem.isEmpty()) {
      return action.get();
    }
    try {
      dynamo.transactWriteItems(b -> b.transactItems(TransactWriteItem.builder()
          .put(idempotency.claim(idem.get(), IdempotencyStore.State.PENDING, 0, "", request.pathId(), clock.instant()))
          .build()));
    } catch (TransactionCanceledException e) {
      return IdempotencyStore.replay(idempotency.winner(e, 0).orElseThrow(() -> e), idem.get());
    }
    HttpApiResponse answer;
    try {
      answer = action.get();
    } catch (RuntimeException e) {
      // Nothing was answered: free the key, so a retry runs the request instead of a 409 for a day.
      idempotency.release(idem.get());
      throw e;
    }
    idempotency.answer(idem.get(), answer.statusCode(), answer.body());
    return answer;
  }

  /** A replayed create or rotation, with the webhook's current secret decrypted into it. */
  private HttpApiResponse withCurrentSecret(HttpApiResponse replayed, String webhookId, String tenantId) {
    Webhook webhook = store.find(webhookId, tenantId).orElseThrow(() -> notFound("webhook", webhookId));
    WebhookSecret secret = secrets.open(webhook.secrets().getFirst().ciphertext(), tenantId, webhookId);
    try {
      ObjectNode node = (ObjectNode) Json.MAPPER.readTree(replayed.body());
      node.put("secret", secret.reveal());
      return new HttpApiResponse(replayed.statusCode(), replayed.headers(), Json.write(node), false);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("stored answer of " + webhookId + " does not parse", e);
    } finally {
      secret.destroy();
    }
  }

  private static Map<String, AttributeValue> withPartition(Map<String, AttributeValue> key, String attribute, String value) {
    Map<String, AttributeValue> k = new HashMap<>(key);
    k.put(attribute, AttributeValue.fromS(value)); // always the caller's partition
    return k;
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
