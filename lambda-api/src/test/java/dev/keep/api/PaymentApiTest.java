package dev.keep.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.api.auth.RateLimiter;
import dev.keep.api.auth.Tenant;
import dev.keep.api.auth.TenantAuthenticator;
import dev.keep.api.jobs.JobsApi;
import dev.keep.schema.encoding.Json;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Issue #17 through the Lambda entry point, against moto and ElasticMQ: idempotency keys, batches,
 * listings, and the refusals every route shares.
 */
class PaymentApiTest {
  private static final String KEY_T1 = "test-api-key-payments-one-01";
  private static final String KEY_T2 = "test-api-key-payments-two-02";
  private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
  private static ApiTestStack stack;
  private static ApiHandler handler;

  @BeforeAll
  static void start() {
    stack = new ApiTestStack("PaymentApiTest");
    tenant("p1", KEY_T1);
    tenant("p2", KEY_T2);
    key("pk1", "p1");
    key("pk2", "p2");
    handler = stack.handler(Clock.fixed(NOW, ZoneOffset.UTC), JobsApi.DEFAULT_DRY_RUN_WAIT);
  }

  private static ApiConfig config() {
    return stack.config();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  private static void tenant(String id, String apiKey) {
    stack.tenant(id, apiKey);
  }

  private static void key(String keyId, String tenant) {
    stack.key(keyId, tenant);
  }

  record Reply(int status, JsonNode body, Map<String, String> headers) {}

  private static Reply call(String method, String path, String query, String apiKey, Map<String, String> headers,
      String body) throws IOException {
    JsonNode response = ApiTestStack.invoke(handler, ApiTestStack.event(method, path, query, apiKey, headers, body));
    Map<String, String> answered = Json.MAPPER.convertValue(response.get("headers"),
        Json.MAPPER.getTypeFactory().constructMapType(Map.class, String.class, String.class));
    String text = response.get("body").asText();
    return new Reply(response.get("statusCode").asInt(), text.isEmpty() ? null : Json.MAPPER.readTree(text), answered);
  }

  private static Reply post(String path, Map<String, String> headers, String body) throws IOException {
    return call("POST", path, "", KEY_T1, headers, body);
  }

  static int postFor(String path, String body) throws IOException {
    return post(path, Map.of(), body).status();
  }

  private static Reply get(String path, String query) throws IOException {
    return call("GET", path, query, KEY_T1, Map.of(), null);
  }

  private static List<Message> drainQueue() {
    List<Message> all = new ArrayList<>();
    List<Message> got;
    do {
      got = stack.sqs.receiveMessage(b -> b.queueUrl(stack.queueUrl).maxNumberOfMessages(10).waitTimeSeconds(0)).messages();
      for (Message m : got) {
        stack.sqs.deleteMessage(b -> b.queueUrl(stack.queueUrl).receiptHandle(m.receiptHandle()));
      }
      all.addAll(got);
    } while (!got.isEmpty());
    return all;
  }

  private static int jobsOf(String tenant) {
    return (int) stack.dynamo.scan(b -> b.tableName(stack.prefix + "jobs")).items().stream()
        .filter(i -> tenant.equals(i.get("tenantId").s())).count();
  }

  private static String message(String hex) {
    return "{\"keyId\":\"pk1\",\"kind\":\"message\",\"message\":\"" + hex + "\"}";
  }

  @Test
  void aRetryWithTheSameKey_getsTheFirstAnswer_andMakesNoSecondJob() throws IOException {
    drainQueue();
    int before = jobsOf("p1");
    Reply first = post("/v1/jobs", Map.of("Idempotency-Key", "payout-7781"), message("0a0b"));
    assertEquals(202, first.status());
    // The same request in another spelling: members reordered, whitespace added (RFC 8785).
    Reply retry = post("/v1/jobs", Map.of("Idempotency-Key", "payout-7781"),
        "{ \"message\" : \"0a0b\", \"kind\":\"message\",\n \"keyId\":\"pk1\" }");
    assertEquals(202, retry.status());
    assertEquals("true", retry.headers().get("idempotent-replayed"));
    assertEquals(first.body().get("jobId"), retry.body().get("jobId"));
    assertFalse(first.headers().containsKey("idempotent-replayed"));
    assertEquals(before + 1, jobsOf("p1"));
    assertEquals(1, drainQueue().size());

    Reply other = post("/v1/jobs", Map.of("Idempotency-Key", "payout-7781"), message("0a0c"));
    assertEquals(409, other.status());
    assertEquals("/problems/idempotency-key-reused", other.body().get("type").asText());
    assertEquals("Idempotency-Key", other.body().path("errors").path(0).path("field").asText());
    assertEquals(before + 1, jobsOf("p1"));
    assertEquals(0, drainQueue().size());

    // Each tenant has its own namespace.
    Reply theirs = call("POST", "/v1/jobs", "", KEY_T2, Map.of("Idempotency-Key", "payout-7781"),
        "{\"keyId\":\"pk2\",\"kind\":\"message\",\"message\":\"0a0b\"}");
    assertEquals(202, theirs.status());
    assertNotEquals(first.body().get("jobId"), theirs.body().get("jobId"));
    drainQueue();

    // Without the header, as before: a second job.
    assertNotEquals(post("/v1/jobs", Map.of(), message("0a0b")).body().get("jobId"),
        post("/v1/jobs", Map.of(), message("0a0b")).body().get("jobId"));
    drainQueue();
  }

  @Test
  void badIdempotencyKeys_are400_andARefusedRequestStoresNothingUnderItsKey() throws IOException {
    for (String bad : List.of("", "x".repeat(256), "caf\u00e9", "tab\there")) {
      Reply reply = post("/v1/jobs", Map.of("Idempotency-Key", bad), message("00"));
      assertEquals(400, reply.status(), bad + ": " + reply.body());
      assertEquals("Idempotency-Key", reply.body().path("errors").path(0).path("field").asText());
    }
    assertEquals(202, post("/v1/jobs", Map.of("Idempotency-Key", "x".repeat(255)), message("01")).status());
    Reply invalid = post("/v1/jobs", Map.of("Idempotency-Key", "fix-and-retry"), message("zz"));
    assertEquals(422, invalid.status());
    Reply fixed = post("/v1/jobs", Map.of("Idempotency-Key", "fix-and-retry"), message("00"));
    assertEquals(202, fixed.status(), fixed.body().toString());
    drainQueue();
  }

  @Test
  void sixteenConcurrentFirstUses_makeExactlyOneJobAndOneMessage() throws Exception {
    drainQueue();
    int before = jobsOf("p1");
    List<Future<Reply>> replies = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 16; i++) {
        replies.add(pool.submit(() -> post("/v1/jobs", Map.of("Idempotency-Key", "race-1"), message("abcd"))));
      }
    }
    Set<String> ids = new HashSet<>();
    int replayed = 0;
    for (Future<Reply> f : replies) {
      Reply r = f.get();
      assertEquals(202, r.status(), r.body().toString());
      ids.add(r.body().get("jobId").asText());
      replayed += "true".equals(r.headers().get("idempotent-replayed")) ? 1 : 0;
    }
    assertEquals(1, ids.size());
    assertEquals(15, replayed);
    assertEquals(before + 1, jobsOf("p1"));
    assertEquals(1, drainQueue().size());
  }

  @Test
  void aBatch_storesTheValidItems_reportsTheInvalidOnes_andEnqueuesInTens() throws IOException {
    drainQueue();
    int before = jobsOf("p1");
    StringBuilder items = new StringBuilder();
    for (int i = 0; i < 25; i++) {
      String hex = i == 3 ? "zz" : String.format("%04x", i);
      items.append(i == 0 ? "" : ",").append(message(hex).replace("{", "{\"reference\":\"payout-" + i + "\","));
    }
    items.append(",{\"keyId\":\"pk2\",\"kind\":\"message\",\"message\":\"00\"}"); // another tenant's key
    Reply batch = post("/v1/batches", Map.of(), "{\"items\":[" + items + "]}");
    assertEquals(202, batch.status(), String.valueOf(batch.body()));
    assertEquals("ACCEPTED", batch.body().get("status").asText());
    JsonNode answered = batch.body().get("items");
    assertEquals(26, answered.size());
    assertEquals("payout-0", answered.get(0).get("reference").asText());
    assertTrue(answered.get(0).hasNonNull("jobId"));
    assertEquals("items[3].message", answered.get(3).path("error").path("errors").path(0).path("field").asText());
    assertFalse(answered.get(3).has("jobId"));
    assertEquals("items[25].keyId", answered.get(25).path("error").path("errors").path(0).path("field").asText());
    assertEquals(before + 24, jobsOf("p1"));
    assertEquals(24, drainQueue().size());

    String batchId = batch.body().get("batchId").asText();
    Reply status = get("/v1/batches/" + batchId, "");
    assertEquals(200, status.status(), status.body().toString());
    assertEquals(24, status.body().get("total").asInt());
    assertEquals(2, status.body().get("refused").asInt());
    assertEquals(24, status.body().path("counts").path("QUEUED").asInt());
    assertFalse(status.body().get("done").asBoolean());

    // A job that ends, and is then "redelivered" (its item written again with the same status),
    // counts once, in its current status.
    String signed = answered.get(0).get("jobId").asText();
    for (int twice = 0; twice < 2; twice++) {
      stack.dynamo.updateItem(b -> b.tableName(stack.prefix + "jobs").key(Map.of("jobId", AttributeValue.fromS(signed)))
          .updateExpression("SET #s = :s, updatedAt = :u, attempts = :a, #r = :r REMOVE pendingShard")
          .expressionAttributeNames(Map.of("#s", "status", "#r", "result"))
          .expressionAttributeValues(Map.of(":s", AttributeValue.fromS("SIGNED"), ":u", AttributeValue.fromS(NOW.toString()),
              ":a", AttributeValue.fromN("1"), ":r", AttributeValue.fromS("{\"type\":\"bip340\",\"signature\":\""
                  + "ab".repeat(64) + "\",\"publicKey\":\"" + "cd".repeat(32) + "\"}"))));
    }
    JsonNode counts = get("/v1/batches/" + batchId, "").body().get("counts");
    assertEquals(1, counts.get("SIGNED").asInt());
    assertEquals(23, counts.get("QUEUED").asInt());

    // Its jobs, paginated, in order, with their references; then only the signed one.
    List<String> seen = new ArrayList<>();
    String cursor = null;
    do {
      Reply page = get("/v1/batches/" + batchId + "/jobs", "limit=10" + (cursor == null ? "" : "&cursor=" + cursor));
      assertEquals(200, page.status(), page.body().toString());
      page.body().get("jobs").forEach(j -> seen.add(j.get("reference").asText()));
      cursor = page.body().hasNonNull("nextCursor") ? page.body().get("nextCursor").asText() : null;
    } while (cursor != null);
    assertEquals(24, seen.size());
    assertEquals("payout-0", seen.getFirst());
    assertEquals("payout-24", seen.getLast());
    Reply onlySigned = get("/v1/batches/" + batchId + "/jobs", "status=SIGNED");
    assertEquals(1, onlySigned.body().get("jobs").size());

    // Another tenant sees no such batch.
    assertEquals(404, call("GET", "/v1/batches/" + batchId, "", KEY_T2, Map.of(), null).status());
  }

  @Test
  void aBatchOfOnlyInvalidItems_is400_andStoresNothing() throws IOException {
    drainQueue();
    int before = jobsOf("p1");
    Reply all = post("/v1/batches", Map.of(), "{\"items\":[" + message("zz") + "," + message("abc") + "]}");
    assertEquals(400, all.status());
    assertEquals("items[0].message", all.body().path("errors").path(0).path("field").asText());
    assertEquals("items[1].message", all.body().path("errors").path(1).path("field").asText());
    for (String envelope : List.of("{\"items\":[]}", "[]", "{\"items\":{}}", "{\"items\":[1],\"extra\":1}")) {
      Reply reply = post("/v1/batches", Map.of(), envelope);
      assertEquals(422, reply.status(), envelope + ": " + reply.body());
    }
    StringBuilder tooMany = new StringBuilder();
    for (int i = 0; i < 1_001; i++) {
      tooMany.append(i == 0 ? "" : ",").append(message("00"));
    }
    assertEquals(422, post("/v1/batches", Map.of(), "{\"items\":[" + tooMany + "]}").status());
    assertEquals(before, jobsOf("p1"));
    assertEquals(0, drainQueue().size());
  }

  @Test
  void aKeyIsKeptAtLeast24Hours_inItsTenantsNamespace() throws IOException {
    post("/v1/jobs", Map.of("Idempotency-Key", "kept-1"), message("0102"));
    drainQueue();
    var item = stack.dynamo.scan(b -> b.tableName(stack.prefix + "idempotency")).items().stream()
        .filter(i -> i.get("idempotencyKey").s().endsWith(":p1:kept-1")).findFirst().orElseThrow();
    long expires = Long.parseLong(item.get("expiresAt").n());
    assertTrue(expires >= NOW.plus(java.time.Duration.ofHours(24)).getEpochSecond(), "expiresAt " + expires);
    assertEquals("2:p1:kept-1", item.get("idempotencyKey").s());
  }

  @Test
  void aDryRunRetriedWithItsKey_getsTheFirstAnswer() throws IOException {
    ApiHandler saved = handler;
    handler = new ApiHandler(ApiHandler.assemble(stack.dynamo, stack.sqs, stack.kms, config(), Clock.fixed(NOW, ZoneOffset.UTC),
        java.time.Duration.ofMillis(100)));
    try {
      Reply first = post("/v1/policy/evaluate", Map.of("Idempotency-Key", "dry-1"), message("0a"));
      assertEquals(202, first.status(), "no worker here: the wait runs out");
      Reply again = post("/v1/policy/evaluate", Map.of("Idempotency-Key", "dry-1"), message("0a"));
      assertEquals(202, again.status());
      assertEquals("true", again.headers().get("idempotent-replayed"));
      assertEquals(first.body().get("jobId"), again.body().get("jobId"));
      assertEquals(1, drainQueue().size());
    } finally {
      handler = saved;
    }
  }

  /**
   * A batch whose first request died after claiming its key and storing its record, before its
   * jobs: a retry a minute later finishes it, with the jobs the first would have made.
   */
  @Test
  void aBatchLeftHalfDone_isFinishedByItsRetry() throws Exception {
    drainQueue();
    String body = "{\"items\":[" + message("3333") + "," + message("4444") + "]}";
    String batchId = java.util.UUID.randomUUID().toString();
    var store = new dev.keep.api.idempotency.IdempotencyStore(stack.dynamo, stack.prefix + "idempotency");
    var request = new dev.keep.api.idempotency.IdempotencyStore.Request("p1", "half-done", "POST /v1/batches",
        dev.keep.api.idempotency.IdempotencyStore.hash("POST /v1/batches",
            dev.keep.schema.encoding.Jcs.canonicalize(Json.MAPPER.readTree(body))));
    Instant died = NOW.minus(java.time.Duration.ofMinutes(2));
    stack.dynamo.transactWriteItems(b -> b.transactItems(software.amazon.awssdk.services.dynamodb.model.TransactWriteItem.builder()
        .put(store.claim(request, dev.keep.api.idempotency.IdempotencyStore.State.PENDING, 0, "", batchId, died)).build()));
    stack.dynamo.putItem(b -> b.tableName(stack.prefix + "batches").item(Map.of("batchId", AttributeValue.fromS(batchId),
        "tenantId", AttributeValue.fromS("p1"), "createdAt", AttributeValue.fromS(died.toString()),
        "total", AttributeValue.fromN("2"), "refused", AttributeValue.fromN("0"))));

    Reply retry = post("/v1/batches", Map.of("Idempotency-Key", "half-done"), body);
    assertEquals(202, retry.status(), retry.body().toString());
    assertEquals(batchId, retry.body().get("batchId").asText());
    assertEquals(2, drainQueue().size());
    JsonNode status = get("/v1/batches/" + batchId, "").body();
    assertEquals(2, status.path("counts").path("QUEUED").asInt(), status.toString());
    Reply again = post("/v1/batches", Map.of("Idempotency-Key", "half-done"), body);
    assertEquals(retry.body(), again.body());
    assertEquals(0, drainQueue().size());
  }

  @Test
  void aBatchRetriedWithItsKey_isTheSameBatch() throws IOException {
    drainQueue();
    String body = "{\"items\":[" + message("1111") + "," + message("2222") + "]}";
    Reply first = post("/v1/batches", Map.of("Idempotency-Key", "batch-42"), body);
    Reply again = post("/v1/batches", Map.of("Idempotency-Key", "batch-42"), body);
    assertEquals(202, again.status());
    assertEquals("true", again.headers().get("idempotent-replayed"));
    assertEquals(first.body(), again.body());
    assertEquals(2, drainQueue().size());
  }

  @Test
  void listing_isTheTenantsOwn_newestFirst_filtered_andPaged() throws IOException {
    // A tenant of its own, so other tests' jobs do not move the counts.
    tenant("p3", "test-api-key-payments-three-3");
    key("pk3", "p3");
    key("pk3b", "p3");
    AtomicLong clock = new AtomicLong(NOW.toEpochMilli());
    ApiHandler timed = new ApiHandler(ApiHandler.assemble(stack.dynamo, stack.sqs, stack.kms, config(), new Clock() {
      @Override
      public java.time.ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return Instant.ofEpochMilli(clock.addAndGet(1_000));
      }
    }, JobsApi.DEFAULT_DRY_RUN_WAIT));
    ApiHandler saved = handler;
    handler = timed;
    try {
      List<String> made = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        String keyId = i % 2 == 0 ? "pk3" : "pk3b";
        made.add(call("POST", "/v1/jobs", "", "test-api-key-payments-three-3", Map.of(),
            "{\"keyId\":\"" + keyId + "\",\"kind\":\"message\",\"message\":\"0" + i + "\"}").body().get("jobId").asText());
      }
      drainQueue();
      List<String> listed = new ArrayList<>();
      String cursor = null;
      do {
        Reply page = call("GET", "/v1/jobs", "limit=3" + (cursor == null ? "" : "&cursor=" + cursor),
            "test-api-key-payments-three-3", Map.of(), null);
        assertEquals(200, page.status(), page.body().toString());
        page.body().get("jobs").forEach(j -> listed.add(j.get("jobId").asText()));
        cursor = page.body().hasNonNull("nextCursor") ? page.body().get("nextCursor").asText() : null;
      } while (cursor != null);
      assertEquals(made.reversed(), listed);
      Reply byKey = call("GET", "/v1/jobs", "keyId=pk3b", "test-api-key-payments-three-3", Map.of(), null);
      assertEquals(3, byKey.body().get("jobs").size());
      Reply byTime = call("GET", "/v1/jobs", "createdAfter=" + NOW.plusSeconds(3) + "&createdBefore=" + NOW.plusSeconds(5),
          "test-api-key-payments-three-3", Map.of(), null);
      assertEquals(3, byTime.body().get("jobs").size(), byTime.body().toString());

      // A cursor is only for the tenant it was given to.
      String theirs = call("GET", "/v1/jobs", "limit=1", "test-api-key-payments-three-3", Map.of(), null)
          .body().get("nextCursor").asText();
      Reply stolen = call("GET", "/v1/jobs", "cursor=" + theirs, KEY_T1, Map.of(), null);
      assertEquals(400, stolen.status());
      assertEquals("query.cursor", stolen.body().path("errors").path(0).path("field").asText());
      for (String bad : List.of("limit=0", "limit=101", "limit=x", "status=DONE", "createdAfter=yesterday", "colour=red",
          "limit=1&limit=2", "cursor=not-a-cursor")) {
        Reply reply = call("GET", "/v1/jobs", bad, "test-api-key-payments-three-3", Map.of(), null);
        assertTrue(reply.status() == 400 || reply.status() == 422, bad + " → " + reply.status());
        assertTrue(reply.body().path("errors").path(0).path("field").asText().length() > 0, bad + ": " + reply.body());
      }
    } finally {
      handler = saved;
    }
  }

  @Test
  void everyRouteShares_415_413_405_andProblemJson() throws IOException {
    Reply form = post("/v1/jobs", Map.of("content-type", "application/x-www-form-urlencoded"), message("00"));
    assertEquals(415, form.status());
    assertEquals("application/problem+json", form.headers().get("content-type"));
    Reply latin1 = post("/v1/batches", Map.of("content-type", "application/json; charset=iso-8859-1"), "{}");
    assertEquals(415, latin1.status());
    Reply big = post("/v1/batches", Map.of(), "{\"items\":[\"" + "a".repeat(5 * 1024 * 1024) + "\"]}");
    assertEquals(413, big.status());
    Reply delete = call("DELETE", "/v1/batches/x", "", KEY_T1, Map.of(), null);
    assertEquals(405, delete.status());
    assertEquals("GET", delete.headers().get("allow"));
    Reply unknown = call("GET", "/v1/nothing", "", KEY_T1, Map.of(), null);
    assertEquals(404, unknown.status());
    assertEquals("/problems/not-found", unknown.body().get("type").asText());
    assertEquals("Bv3xJi2GIAMEV2Q=", unknown.body().get("instance").asText());
  }

  @Test
  void aTenantWhoseItemSetsALowRate_isAnswered429WithRetryAfter_throughTheApi() throws IOException {
    stack.dynamo.putItem(b -> b.tableName(stack.prefix + "tenants").item(Map.of(
        "apiKeyHash", AttributeValue.fromS(TenantAuthenticator.hash("test-api-key-payments-slow-04")),
        "tenantId", AttributeValue.fromS("p4"),
        "rateLimitPerSecond", AttributeValue.fromN("0.01"), "rateLimitBurst", AttributeValue.fromN("2"))));
    List<Integer> statuses = new ArrayList<>();
    Reply last = null;
    for (int i = 0; i < 3; i++) {
      last = call("GET", "/v1/jobs", "", "test-api-key-payments-slow-04", Map.of(), null);
      statuses.add(last.status());
    }
    assertEquals(List.of(200, 200, 429), statuses);
    assertEquals("/problems/rate-limited", last.body().get("type").asText());
    assertEquals("100", last.headers().get("retry-after"), "1 token at 0.01 a second");
  }

  @Test
  void aTenantOverItsRate_gets429WithRetryAfter() {
    AtomicLong nanos = new AtomicLong();
    RateLimiter limiter = new RateLimiter(nanos::get);
    Tenant slow = new Tenant("slow", 2, 3);
    Map<Integer, Long> waits = new LinkedHashMap<>();
    for (int i = 0; i < 4; i++) {
      waits.put(i, limiter.secondsToWait(slow));
    }
    assertEquals(Map.of(0, 0L, 1, 0L, 2, 0L, 3, 1L), waits, "a burst of 3, then a wait");
    nanos.addAndGet(500_000_000L); // half a second at 2 a second: one token
    assertEquals(0, limiter.secondsToWait(slow));
    assertEquals(1, limiter.secondsToWait(slow));
  }
}
