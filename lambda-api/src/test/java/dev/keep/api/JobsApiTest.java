package dev.keep.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.api.jobs.JobQueue;
import dev.keep.api.jobs.JobRepository;
import dev.keep.api.jobs.JobsApi;
import dev.keep.api.sweeper.QueuedJobSweeper;
import dev.keep.schema.encoding.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The jobs API through its Lambda entry point, fed API Gateway HTTP API v2 event fixtures, against
 * moto's DynamoDB and ElasticMQ.
 */
class JobsApiTest {
  private static final String KEY_T1 = "test-api-key-tenant-one-0001";
  private static final String KEY_T2 = "test-api-key-tenant-two-0002";
  private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

  private static ApiTestStack stack;
  private static String JOBS;
  private static DynamoDbClient dynamo;
  private static SqsClient sqs;
  private static String queueUrl;
  private static ApiHandler handler;
  private static JobRepository jobs;

  @BeforeAll
  static void start() {
    stack = new ApiTestStack("JobsApiTest");
    JOBS = stack.config().jobsTable();
    dynamo = stack.dynamo;
    sqs = stack.sqs;
    queueUrl = stack.queueUrl;
    stack.tenant("t1", KEY_T1);
    stack.tenant("t2", KEY_T2);
    stack.key("k1", "t1");
    stack.key("k2", "t2");
    jobs = new JobRepository(dynamo, JOBS, stack.config().keysTable());
    handler = waitingFor(JobsApi.DEFAULT_DRY_RUN_WAIT);
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  private static String fixture(String name) throws IOException {
    try (InputStream in = JobsApiTest.class.getResourceAsStream("/events/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  record Reply(int status, JsonNode body, Map<String, String> headers) {}

  private static Reply invoke(String eventJson) throws IOException {
    JsonNode response = ApiTestStack.invoke(handler, Json.MAPPER.readTree(eventJson));
    Map<String, String> headers = Json.MAPPER.convertValue(response.get("headers"),
        Json.MAPPER.getTypeFactory().constructMapType(Map.class, String.class, String.class));
    return new Reply(response.get("statusCode").asInt(), Json.MAPPER.readTree(response.get("body").asText()), headers);
  }

  private static Reply post(String apiKey, String body) throws IOException {
    String event = fixture("post-job.json").replace("API_KEY", apiKey);
    var node = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(event);
    node.put("body", body);
    return invoke(Json.MAPPER.writeValueAsString(node));
  }

  private static Reply get(String apiKey, String jobId) throws IOException {
    return invoke(fixture("get-job.json").replace("API_KEY", apiKey).replace("JOB_ID", jobId));
  }

  private static int storedJobs() {
    return dynamo.scan(b -> b.tableName(JOBS).select("COUNT")).count();
  }

  private static List<Message> drainQueue() {
    List<Message> all = new ArrayList<>();
    while (true) {
      List<Message> got = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(0)).messages();
      if (got.isEmpty()) {
        return all;
      }
      all.addAll(got);
      got.forEach(m -> sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle())));
    }
  }

  @Test
  void submitStoresQueuedEnqueuesAndAnswers202() throws IOException {
    drainQueue();
    Reply reply = post(KEY_T1, "{\"keyId\":\"k1\",\"kind\":\"message\",\"message\":\"68656c6c6f\"}");
    assertEquals(202, reply.status());
    assertEquals("QUEUED", reply.body().get("status").asText());
    String jobId = reply.body().get("jobId").asText();
    List<Message> messages = drainQueue();
    assertEquals(1, messages.size());
    JsonNode message = Json.MAPPER.readTree(messages.get(0).body());
    assertEquals(jobId, message.get("jobId").asText());
    assertEquals("t1", message.get("tenantId").asText());

    Reply view = get(KEY_T1, jobId);
    assertEquals(200, view.status());
    assertEquals("QUEUED", view.body().get("status").asText());
    assertEquals("message", view.body().get("kind").asText());
    assertEquals(dev.keep.schema.tables.SortableInstant.of(NOW), view.body().get("createdAt").asText());
  }

  /** RFC 9457: 400 for what is not JSON, 422 for JSON that breaks a rule; the field named in {@code errors}. */
  @Test
  void badBodiesAre400Or422NamingTheFieldAndNothingIsStoredOrEnqueued() throws IOException {
    drainQueue();
    int before = storedJobs();
    String[][] cases = {
      {"{\"keyId\":\"k1\",\"kind\":\"message\",\"message\":\"zz\"}", "message", "422"},
      {"{\"keyId\":\"k1\",\"kind\":\"message\",\"message\":\"abc\"}", "message", "422"},
      {"{\"keyId\":\"k1\",\"kind\":\"launch\",\"message\":\"00\"}", "kind", "422"},
      {"{\"kind\":\"message\",\"message\":\"00\"}", "keyId", "422"},
      {"{\"keyId\":\"unknown\",\"kind\":\"message\",\"message\":\"00\"}", "keyId", "422"},
      {"{\"keyId\":\"k2\",\"kind\":\"message\",\"message\":\"00\"}", "keyId", "422"}, // another tenant's key
      {"{\"keyId\":\"k1\",\"kind\":\"message\"}", "message", "422"},
      {"{\"keyId\":\"k1\",\"kind\":\"message\",\"message\":\"00\",\"x\":1}", "x", "422"},
      {"{\"keyId\":\"k1\"", null, "400"},
      {"", null, "400"},
    };
    List<String> failures = new ArrayList<>();
    for (String[] c : cases) {
      Reply reply = post(KEY_T1, c[0]);
      if (reply.status() != Integer.parseInt(c[2])) {
        failures.add(c[0] + " → " + reply.status());
        continue;
      }
      assertEquals("application/problem+json", reply.headers().get("content-type"));
      assertEquals("INVALID_REQUEST", reply.body().get("code").asText());
      assertEquals(reply.status(), reply.body().get("status").asInt());
      assertTrue(reply.body().get("type").asText().startsWith("/problems/"), reply.body().toString());
      assertTrue(reply.body().hasNonNull("instance"), reply.body().toString());
      if (c[1] != null && !c[1].equals(field(reply))) {
        failures.add(c[0] + " → field " + field(reply) + " (" + reply.body().get("detail") + ")");
      }
    }
    assertEquals(List.of(), failures);
    assertEquals(before, storedJobs(), "no job stored");
    assertEquals(0, drainQueue().size(), "nothing enqueued");
  }

  /** The first field a problem names, or "" when it names none. */
  static String field(Reply reply) {
    return reply.body().path("errors").path(0).path("field").asText();
  }

  @Test
  void missingOrWrongApiKeyIs401() throws IOException {
    String body = "{\"keyId\":\"k1\",\"kind\":\"message\",\"message\":\"00\"}";
    Reply wrong = post("not-a-real-key-at-all-xyz", body);
    assertEquals(401, wrong.status());
    assertEquals("Bearer", wrong.headers().get("www-authenticate"));
    String noAuth = fixture("post-job.json").replace("\"authorization\": \"Bearer API_KEY\",", "");
    assertEquals(401, invoke(noAuth).status());
    assertEquals(401, post("short", body).status());
  }

  @Test
  void anotherTenantsJobIs404LikeAMissingOne() throws IOException {
    Reply reply = post(KEY_T1, "{\"keyId\":\"k1\",\"kind\":\"message\",\"message\":\"00\"}");
    String jobId = reply.body().get("jobId").asText();
    Reply theirs = get(KEY_T2, jobId);
    Reply missing = get(KEY_T2, "00000000-0000-0000-0000-000000000000");
    assertEquals(404, theirs.status());
    assertEquals(404, missing.status());
    assertEquals(theirs.body().get("code"), missing.body().get("code"));
    assertEquals(200, get(KEY_T1, jobId).status());
  }

  @Test
  void unknownRoutesAndMethods() throws IOException {
    String event = fixture("get-job.json").replace("API_KEY", KEY_T1).replace("/v1/jobs/JOB_ID", "/v1/other");
    assertEquals(404, invoke(event).status());
    String put = fixture("post-job.json").replace("API_KEY", KEY_T1).replace("\"method\": \"POST\"", "\"method\": \"PUT\"");
    Reply refused = invoke(put);
    assertEquals(405, refused.status());
    assertEquals("GET, POST", refused.headers().get("allow"));
  }

  @Test
  void sweeperReenqueuesAJobStoredWithoutItsMessage() throws IOException {
    drainQueue();
    // The API crashed between the write and the send: the job is stored, its message is not.
    jobs.create(JobRepository.NewJob.single("orphan-1", "t1", "k1", "message",
        "{\"kind\":\"message\",\"keyId\":\"k1\",\"message\":\"00\"}", NOW.minus(Duration.ofMinutes(10))));
    QueuedJobSweeper sweeper = new QueuedJobSweeper(jobs, new JobQueue(sqs, queueUrl),
        Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofMinutes(2));
    int sent = sweeper.sweep(100);
    assertTrue(sent >= 1, "swept " + sent);
    assertTrue(drainQueue().stream().anyMatch(m -> m.body().contains("orphan-1")));
  }

  private static Reply evaluate(ApiHandler api, String apiKey, String body) throws IOException {
    JsonNode response = ApiTestStack.invoke(api,
        ApiTestStack.event("POST", "/v1/policy/evaluate", "", apiKey, Map.of(), body));
    return new Reply(response.get("statusCode").asInt(), Json.MAPPER.readTree(response.get("body").asText()), Map.of());
  }

  private static ApiHandler waitingFor(java.time.Duration wait) {
    return stack.handler(Clock.fixed(NOW, ZoneOffset.UTC), wait);
  }

  /**
   * A dry run is a job of kind policy_evaluate on the same queue. When the fleet answers within
   * the wait, the API answers 200 with the finished job; here the enclave's side is played by a
   * thread that writes the EVALUATED state into DynamoDB as a worker would.
   */
  @Test
  void policyEvaluate_waitsForTheDecision_or202WhenTheFleetIsSlow() throws Exception {
    drainQueue();
    String body = "{\"keyId\":\"k1\",\"kind\":\"message\",\"message\":\"00\"}";
    Reply slow = evaluate(waitingFor(java.time.Duration.ofMillis(200)), KEY_T1, body);
    assertEquals(202, slow.status(), slow.body().toString());
    String queuedId = slow.body().get("jobId").asText();
    assertEquals("policy_evaluate", get(KEY_T1, queuedId).body().get("kind").asText());
    assertEquals(1, drainQueue().size());

    String result = "{\"type\":\"policy_decision\",\"allowed\":true,\"ruleId\":\"kinds\",\"reason\":\"allowed\","
        + "\"approvalDigest\":\"" + "22".repeat(32) + "\",\"trace\":[]}";
    Thread worker = Thread.ofVirtual().start(() -> {
      // The stand-in worker long-polls the queue (SQS WaitTimeSeconds) until the job arrives, for at most 5 s.
      long deadline = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < deadline) {
        for (Message m : sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(1).waitTimeSeconds(1))
            .messages()) {
          sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
          String jobId = m.body().replaceAll(".*\"jobId\":\"([^\"]+)\".*", "$1");
          dynamo.updateItem(b -> b.tableName(JOBS).key(Map.of("jobId", AttributeValue.fromS(jobId)))
              .updateExpression("SET #s = :s, #r = :r")
              .expressionAttributeNames(Map.of("#s", "status", "#r", "result"))
              .expressionAttributeValues(Map.of(":s", AttributeValue.fromS("EVALUATED"), ":r", AttributeValue.fromS(result))));
          return;
        }
      }
    });
    Reply answered = evaluate(waitingFor(java.time.Duration.ofSeconds(10)), KEY_T1, body);
    worker.join();
    assertEquals(200, answered.status(), answered.body().toString());
    assertEquals("EVALUATED", answered.body().get("status").asText());
    assertEquals("policy_decision", answered.body().path("result").path("type").asText());
    assertEquals("kinds", answered.body().path("result").path("ruleId").asText());

    int before = storedJobs();
    Reply bad = evaluate(handler, KEY_T1, "{\"keyId\":\"k1\",\"kind\":\"message\"}");
    assertEquals(422, bad.status());
    assertEquals("message", field(bad), bad.body().toString());
    Reply foreign = evaluate(handler, KEY_T1, "{\"keyId\":\"k2\",\"kind\":\"message\",\"message\":\"00\"}");
    assertEquals(422, foreign.status());
    assertEquals(before, storedJobs());
  }

  // Issue #14: what an attacker and a careless client got through at the API.

  private static Reply postBytes(String apiKey, byte[] body) throws IOException {
    String event = fixture("post-job.json").replace("API_KEY", apiKey);
    var node = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(event);
    node.put("body", java.util.Base64.getEncoder().encodeToString(body));
    node.put("isBase64Encoded", true); // as API Gateway (and the local adapter) send a body that is not UTF-8 text
    return invoke(Json.MAPPER.writeValueAsString(node));
  }

  private static String event(String content) {
    return "{\"keyId\":\"k1\",\"kind\":\"nostr_event\",\"event\":{\"pubkey\":\"" + "ab".repeat(32)
        + "\",\"created_at\":1700000000,\"kind\":1,\"tags\":[],\"content\":\"" + content + "\"}}";
  }

  @Test
  void aBodyThatIsNotUtf8_isRefusedAtItsByte_notSignedWithAReplacementCharacter() throws IOException {
    drainQueue();
    int before = storedJobs();
    byte[] body = event("caf?").getBytes(StandardCharsets.UTF_8);
    int at = new String(body, StandardCharsets.ISO_8859_1).indexOf("caf?") + 3;
    body[at] = (byte) 0xE9; // é in Latin-1
    Reply reply = postBytes(KEY_T1, body);
    assertEquals(400, reply.status(), reply.body().toString());
    assertEquals("body: not valid UTF-8 at byte offset " + at + " (byte 0xE9)", reply.body().get("detail").asText());
    assertEquals(before, storedJobs());
    assertEquals(0, drainQueue().size());
  }

  @Test
  void bodiesAreMeasuredInBytes_andAJobWhoseResultCannotBeStoredIs413() throws IOException {
    drainQueue();
    int before = storedJobs();
    // 255k characters of '€' pass a character count of 256 KiB, but are 765k bytes.
    Reply euros = post(KEY_T1, event("€".repeat(255_000)));
    assertEquals(413, euros.status(), euros.body().toString());
    assertTrue(euros.body().get("detail").asText().startsWith("body of 765"), euros.body().toString());
    // A 240 KB event fits the body limit, but it and its signed copy do not fit one DynamoDB item.
    Reply big = post(KEY_T1, event("a".repeat(40_000)).replace("\"tags\":[]",
        "\"tags\":[" + String.join(",", java.util.Collections.nCopies(2_000, "[\"t\",\"" + "x".repeat(100) + "\"]")) + "]"));
    assertEquals(413, big.status(), big.body().toString());
    assertTrue(big.body().get("detail").asText().startsWith("a nostr_event job of 2"), big.body().toString());
    assertTrue(big.body().get("detail").asText().contains("a DynamoDB item"), big.body().toString());
    assertEquals(before, storedJobs(), "nothing stored");
    assertEquals(0, drainQueue().size(), "nothing enqueued");
  }

  @Test
  void keysTwice_unpairedSurrogates_fractionalIntegers_andConflictingFields_areRefusedNamingTheField() throws IOException {
    drainQueue();
    int before = storedJobs();
    String[][] cases = {
      // The last keyId would win in a tree: a client reading the first would sign with another key.
      {"{\"keyId\":\"nope\",\"keyId\":\"k1\",\"kind\":\"message\",\"message\":\"6869686968\"}", "keyId",
          "keyId: body is not valid JSON: duplicate key 'keyId' at line 1, column 24; a key may appear once per object"},
      {event("a").replace("\"content\":\"a\"", "\"content\":\"a\",\"content\":\"b\""), "event.content", null},
      {event("caf\\ud800"), "event.content", null},
      {event("ok").replace("1700000000", "1.0"), "event.created_at",
          "event.created_at: must be an integer written without a fraction or exponent"},
      {"{\"keyId\":\"k1\",\"kind\":\"message\",\"message\":\"00\",\"digest\":\"" + "ab".repeat(32) + "\"}", "digest",
          "digest: is not allowed in a 'message' job (a message job signs 'message')"},
      {"{\"keyId\":\"k1\",\"kind\":\"psbt\",\"psbt\":\"cHNidP8B\",\"network\":\"testnet\",\"path\":\"m/0\"}", "path", null},
    };
    List<String> failures = new ArrayList<>();
    for (String[] c : cases) {
      Reply reply = post(KEY_T1, c[0]);
      String field = field(reply);
      String message = reply.body().path("detail").asText();
      // A key given twice is not JSON this API reads (400); the rest is JSON that breaks a rule (422).
      int status = c[0].contains("\"keyId\":\"nope\"") || c[0].contains("\"content\":\"b\"") ? 400 : 422;
      if (reply.status() != status || !c[1].equals(field) || (c[2] != null && !c[2].equals(message))) {
        failures.add(c[0].substring(0, Math.min(80, c[0].length())) + " → " + reply.status() + " " + reply.body());
      }
    }
    assertEquals(List.of(), failures);
    assertEquals(before, storedJobs());
    assertEquals(0, drainQueue().size());
  }

  @Test
  void notFoundAnswers_echoAtMostAShortPrintablePrefix() throws IOException {
    String longId = "x".repeat(10_000);
    Reply job = get(KEY_T1, longId);
    assertEquals(404, job.status());
    assertEquals("no job '" + "x".repeat(64) + "...(9936 more characters)'", job.body().get("detail").asText());
    String route = fixture("get-job.json").replace("API_KEY", KEY_T1).replace("/v1/jobs/JOB_ID", "/v1/" + "y".repeat(5_000));
    Reply noRoute = invoke(route);
    assertEquals(404, noRoute.status());
    assertTrue(noRoute.body().get("detail").asText().length() < 120, noRoute.body().toString());
  }
}
