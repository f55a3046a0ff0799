package dev.keep.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.keep.api.webhooks.DeliverySender;
import dev.keep.api.webhooks.EndpointRules;
import dev.keep.api.webhooks.EventDispatcher;
import dev.keep.api.webhooks.RetrySchedule;
import dev.keep.api.webhooks.Signatures;
import dev.keep.api.webhooks.StreamChange;
import dev.keep.api.webhooks.WebhookSecret;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.tables.Tables;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Issue #18 against moto (tables and the jobs table's stream), ElasticMQ (the delivery queue, its
 * delays) and Keep's KMS endpoint, with a real HTTP receiver (the JDK's HttpServer). The dispatcher
 * reads the emulator's stream as the stream Lambda would; the sender takes the queue's messages as
 * the queue Lambda would, on a schedule of milliseconds instead of hours.
 */
class WebhooksTest {
  /** Each test has a tenant of its own (its API key and signing key), so other tests' endpoints hear nothing of it. */
  private static String KEY_A;
  private static String keyId;
  private static int tenants;
  private static final String KEY_B = "test-api-key-webhooks-b-0002";
  /** The same schedule's shape, shortened: immediately, then 1 s, then 1 s. */
  private static final RetrySchedule SHORT =
      new RetrySchedule(List.of(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1)));
  private static ApiTestStack stack;
  private static ApiHandler api;
  private static EventDispatcher dispatcher;
  private static DynamoDbStreamsClient streams;
  private static String shardIterator;
  private static final ShiftedClock CLOCK = new ShiftedClock();
  private Receiver receiver;

  @BeforeAll
  static void start() {
    stack = new ApiTestStack("WebhooksTest");
    stack.tenant("wb", KEY_B);
    api = new ApiHandler(ApiHandler.assemble(stack.dynamo, stack.sqs, stack.kms, stack.config(), CLOCK, Duration.ZERO));
    dispatcher = ApiHandler.dispatcher(stack.dynamo, stack.sqs, stack.kms, stack.config(), CLOCK);
    streams = DynamoDbStreamsClient.builder().endpointOverride(dev.keep.emulators.dynamodb.SharedMotoServer.endpoint())
        .region(software.amazon.awssdk.regions.Region.US_EAST_1)
        .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
            software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("local", "local")))
        .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder()).build();
    String arn = stack.dynamo.describeTable(b -> b.tableName(stack.prefix + Tables.JOBS.name())).table().latestStreamArn();
    String shard = streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards().getFirst().shardId();
    shardIterator = streams.getShardIterator(b -> b.streamArn(arn).shardId(shard)
        .shardIteratorType(ShardIteratorType.LATEST)).shardIterator();
  }

  @AfterAll
  static void stop() {
    streams.close();
    stack.close();
  }

  @org.junit.jupiter.api.BeforeEach
  void ownTenant() {
    tenants++;
    KEY_A = "test-api-key-webhooks-a-" + tenants + "-0001";
    keyId = "wka" + tenants;
    stack.tenant("wa" + tenants, KEY_A);
    stack.key(keyId, "wa" + tenants);
    // What earlier tests left on the delivery queue (retries for receivers now closed) is not this test's.
    stack.sqs.purgeQueue(b -> b.queueUrl(stack.deliveryQueueUrl));
  }

  @AfterEach
  void closeReceiver() {
    if (receiver != null) {
      receiver.close();
    }
    CLOCK.shift = Duration.ZERO;
  }

  // ---- the signature

  @Test
  void theSignatureIsTheStandardWebhooksTestVectors() throws IOException {
    JsonNode v;
    try (InputStream in = getClass().getResourceAsStream("/webhooks/standard-webhooks-vector.json")) {
      v = Json.MAPPER.readTree(in);
    }
    WebhookSecret secret = WebhookSecret.parse(v.get("secret").asText());
    assertEquals(v.get("signature").asText(), Signatures.header(v.get("msgId").asText(), v.get("timestamp").asLong(),
        v.get("payload").asText().getBytes(StandardCharsets.UTF_8), List.of(secret)));
    assertEquals("<redacted>", secret.toString());
  }

  // ---- the registry

  @Test
  void aWebhookIsRegisteredShownListedChangedAndDeleted_andItsSecretIsStoredOnlyEncrypted() throws IOException {
    receiver = new Receiver(() -> 200);
    JsonNode made = call("POST", "/v1/webhooks", KEY_A, Map.of(), create(receiver.url(), "job.signed", "job.rejected"));
    assertEquals(201, made.get("statusCode").asInt());
    JsonNode view = body(made);
    String id = view.get("webhookId").asText();
    String secret = view.get("secret").asText();
    assertTrue(secret.startsWith("whsec_"), secret);
    assertEquals(32, Base64.getDecoder().decode(secret.substring(6)).length);
    String stored = stack.dynamo.getItem(b -> b.tableName(stack.prefix + Tables.WEBHOOKS.name())
        .key(Map.of("webhookId", AttributeValue.fromS(id)))).item().toString();
    assertFalse(stored.contains(secret.substring(6)), "the secret is not stored in plaintext");
    byte[] raw = Base64.getDecoder().decode(secret.substring(6));
    assertFalse(stored.contains(Base64.getEncoder().encodeToString(raw).substring(0, 20)));

    JsonNode got = body(call("GET", "/v1/webhooks/" + id, KEY_A, Map.of(), null));
    assertNull(got.get("secret"), "shown once only");
    assertEquals(receiver.url(), got.get("url").asText());
    JsonNode list = body(call("GET", "/v1/webhooks", KEY_A, Map.of(), null));
    assertTrue(list.get("webhooks").toString().contains(id));
    assertFalse(list.toString().contains("whsec_"));

    JsonNode patched = body(call("PATCH", "/v1/webhooks/" + id, KEY_A, Map.of(),
        "{\"eventTypes\":[\"job.failed\"],\"disabled\":true}"));
    assertEquals("[\"job.failed\"]", patched.get("eventTypes").toString());
    assertTrue(patched.get("disabled").asBoolean());
    assertEquals("disabled by its owner", patched.get("disabledReason").asText());

    assertEquals(204, call("DELETE", "/v1/webhooks/" + id, KEY_A, Map.of(), null).get("statusCode").asInt());
    assertEquals(404, call("GET", "/v1/webhooks/" + id, KEY_A, Map.of(), null).get("statusCode").asInt());
  }

  @Test
  void aCreateRetriedWithItsIdempotencyKey_makesOneWebhook_andAnswersTheSameSecret() throws IOException {
    receiver = new Receiver(() -> 200);
    String body = create(receiver.url(), "job.signed");
    JsonNode first = body(call("POST", "/v1/webhooks", KEY_A, Map.of("Idempotency-Key", "hook-1"), body));
    JsonNode again = call("POST", "/v1/webhooks", KEY_A, Map.of("Idempotency-Key", "hook-1"), body);
    assertEquals(201, again.get("statusCode").asInt());
    assertEquals("true", again.get("headers").get("idempotent-replayed").asText());
    assertEquals(first.get("webhookId"), body(again).get("webhookId"));
    assertEquals(first.get("secret"), body(again).get("secret"));
  }

  @Test
  void everyWebhookRouteAnswersAnotherTenant404() throws IOException {
    receiver = new Receiver(() -> 200);
    String id = body(call("POST", "/v1/webhooks", KEY_A, Map.of(), create(receiver.url(), "job.rejected")))
        .get("webhookId").asText();
    String jobId = submitJob();
    String deliveryId = "dlv_" + "0".repeat(32);
    for (String[] route : List.of(
        new String[] {"GET", "/v1/webhooks/" + id, null},
        new String[] {"PATCH", "/v1/webhooks/" + id, "{\"disabled\":true}"},
        new String[] {"DELETE", "/v1/webhooks/" + id, null},
        new String[] {"POST", "/v1/webhooks/" + id + "/rotate-secret", "{}"},
        new String[] {"POST", "/v1/webhooks/" + id + "/test", "{}"},
        new String[] {"GET", "/v1/webhooks/" + id + "/deliveries", null},
        new String[] {"POST", "/v1/webhooks/" + id + "/deliveries/" + deliveryId + "/resend", "{}"},
        new String[] {"POST", "/v1/webhooks/" + id + "/replay", "{\"since\":\"2026-01-01T00:00:00Z\"}"},
        new String[] {"GET", "/v1/jobs/" + jobId + "/deliveries", null})) {
      JsonNode answer = call(route[0], route[1], KEY_B, Map.of(), route[2]);
      assertEquals(404, answer.get("statusCode").asInt(), route[0] + " " + route[1]);
    }
    assertFalse(body(call("GET", "/v1/webhooks", KEY_B, Map.of(), null)).toString().contains(id));
    assertEquals(200, call("GET", "/v1/webhooks/" + id, KEY_A, Map.of(), null).get("statusCode").asInt(),
        "the owner's webhook is untouched");
  }

  @Test
  void urlRules_httpsOnlyInAwsMode_loopbackHttpOnlyLocally_andNoPrivateAddress() throws IOException {
    ApiHandler aws = new ApiHandler(ApiHandler.assemble(stack.dynamo, stack.sqs, stack.kms,
        stack.config(EndpointRules.Mode.AWS), CLOCK, Duration.ZERO));
    for (String url : List.of("http://example.com/hook", "https://127.0.0.1/hook", "https://localhost/hook",
        "https://10.1.2.3/hook", "https://192.168.0.1/", "https://172.16.5.4/", "https://169.254.169.254/latest/meta-data",
        "https://[::1]/", "https://[fd00:ec2::254]/", "https://[::ffff:10.0.0.1]/", "https://100.64.0.1/",
        "https://user:pw@example.com/", "ftp://example.com/")) {
      JsonNode answer = ApiTestStack.invoke(aws, ApiTestStack.event("POST", "/v1/webhooks", "", KEY_A,
          Map.of("content-type", "application/json"), create(url, "job.signed")));
      assertEquals(422, answer.get("statusCode").asInt(), url);
      assertTrue(body(answer).get("errors").get(0).get("field").asText().equals("url"), url);
    }
    assertEquals(422, call("POST", "/v1/webhooks", KEY_A, Map.of(), create("http://example.com/", "job.signed"))
        .get("statusCode").asInt(), "local mode: http only to loopback");
    assertEquals(201, call("POST", "/v1/webhooks", KEY_A, Map.of(), create("http://127.0.0.1:9/x", "job.signed"))
        .get("statusCode").asInt());
  }

  // ---- deliveries

  @Test
  void anEventIsRetriedOnTheSameWebhookId_untilA2xx_andTheLogShowsEveryAttempt() throws Exception {
    List<Integer> answers = new ArrayList<>(List.of(500, 500));
    receiver = new Receiver(() -> answers.isEmpty() ? 200 : answers.removeFirst());
    Hook hook = register(receiver.url(), "job.rejected");
    String jobId = submitJob();
    end(jobId, "REJECTED");
    DeliverySender sender = sender(EndpointRules.Mode.LOCAL, Duration.ofSeconds(2));
    runUntil(sender, () -> receiver.requests.size() >= 3);

    assertEquals(3, receiver.requests.size());
    String messageId = receiver.requests.getFirst().header("webhook-id");
    for (Received r : receiver.requests) {
      assertEquals(messageId, r.header("webhook-id"), "the same id on every attempt");
      assertTrue(verifies(hook.secret(), r), "each attempt verifies under the endpoint's secret");
      assertEquals("application/json", r.header("content-type"));
      assertTrue(r.header("user-agent").startsWith("Keep-Webhooks/"), r.header("user-agent"));
    }
    JsonNode event = Json.MAPPER.readTree(receiver.requests.getFirst().body());
    assertEquals("job.rejected", event.get("type").asText());
    JsonNode job = body(call("GET", "/v1/jobs/" + jobId, KEY_A, Map.of(), null));
    assertEquals(job, event.get("data"), "data is the job as GET /v1/jobs/{id} shows it");

    JsonNode log = body(call("GET", "/v1/webhooks/" + hook.id() + "/deliveries", KEY_A, Map.of(), null));
    JsonNode delivery = log.get("deliveries").get(0);
    assertEquals("SUCCEEDED", delivery.get("status").asText());
    assertEquals(3, delivery.get("attemptCount").asInt());
    assertEquals(List.of(500, 500, 200), List.of(delivery.get("attempts").get(0).get("httpStatus").asInt(),
        delivery.get("attempts").get(1).get("httpStatus").asInt(), delivery.get("attempts").get(2).get("httpStatus").asInt()));
    assertEquals("answer 500", delivery.get("attempts").get(0).get("response").asText());
    JsonNode byJob = body(call("GET", "/v1/jobs/" + jobId + "/deliveries", KEY_A, Map.of(), null));
    assertEquals(delivery.get("deliveryId"), byJob.get("deliveries").get(0).get("deliveryId"));

    // Resend: the same webhook-id, a new timestamp and signature.
    CLOCK.shift = Duration.ofSeconds(7);
    JsonNode resent = call("POST", "/v1/webhooks/" + hook.id() + "/deliveries/" + delivery.get("deliveryId").asText()
        + "/resend", KEY_A, Map.of(), "{}");
    assertEquals(202, resent.get("statusCode").asInt());
    runUntil(sender, () -> receiver.requests.size() >= 4);
    Received fourth = receiver.requests.get(3);
    assertEquals(messageId, fourth.header("webhook-id"));
    assertNotEquals(receiver.requests.get(2).header("webhook-timestamp"), fourth.header("webhook-timestamp"));
    assertTrue(verifies(hook.secret(), fourth));
  }

  @Test
  void theLogKeepsTheFirstKibOfAnAnswer() throws Exception {
    receiver = new Receiver(() -> 299);
    Hook hook = register(receiver.url(), "job.rejected");
    end(submitJob(), "REJECTED");
    runUntil(sender(EndpointRules.Mode.LOCAL, Duration.ofSeconds(2)), () -> receiver.requests.size() >= 1);
    JsonNode delivery = deliveriesOf(hook).get(0);
    assertEquals("SUCCEEDED", delivery.get("status").asText(), "any 2xx is success");
    assertEquals("x".repeat(1024), delivery.get("attempts").get(0).get("response").asText());
  }

  @Test
  void aJobEndingAgainInTheSameStatus_andAStreamRecordReadTwice_makeNoSecondEvent() throws Exception {
    receiver = new Receiver(() -> 200);
    Hook hook = register(receiver.url(), "job.rejected", "job.failed");
    String jobId = submitJob();
    List<StreamChange> changes = end(jobId, "REJECTED");
    dispatcher.dispatch(changes); // the same records again, as Lambda may deliver them
    // The job written again in the same terminal status, as a redelivered message would.
    stack.dynamo.updateItem(b -> b.tableName(stack.prefix + Tables.JOBS.name())
        .key(Map.of("jobId", AttributeValue.fromS(jobId)))
        .updateExpression("SET updatedAt = :u").expressionAttributeValues(Map.of(":u", AttributeValue.fromS(
            CLOCK.instant().plusSeconds(1).toString()))));
    drainStream();
    JsonNode log = body(call("GET", "/v1/webhooks/" + hook.id() + "/deliveries", KEY_A, Map.of(), null));
    assertEquals(1, log.get("deliveries").size(), log.toString());
  }

  @Test
  void secretRotation_signsWithBothSecretsForADay_andEachVerifies() throws Exception {
    receiver = new Receiver(() -> 200);
    Hook hook = register(receiver.url(), "job.rejected");
    JsonNode rotated = call("POST", "/v1/webhooks/" + hook.id() + "/rotate-secret", KEY_A, Map.of(), null);
    assertEquals(200, rotated.get("statusCode").asInt());
    String newSecret = body(rotated).get("secret").asText();
    assertNotEquals(hook.secret(), newSecret);
    end(submitJob(), "REJECTED");
    runUntil(sender(EndpointRules.Mode.LOCAL, Duration.ofSeconds(2)), () -> receiver.requests.size() >= 1);
    Received r = receiver.requests.getFirst();
    String[] signatures = r.header("webhook-signature").split(" ");
    assertEquals(2, signatures.length, r.header("webhook-signature"));
    assertTrue(verifiesOne(newSecret, r, signatures[0]), "the first entry is the new secret's");
    assertTrue(verifiesOne(hook.secret(), r, signatures[1]), "the second is the old secret's");

    // A day later the old secret signs no more.
    CLOCK.shift = Duration.ofHours(24).plusMinutes(1);
    JsonNode test = call("POST", "/v1/webhooks/" + hook.id() + "/test", KEY_A, Map.of(), null);
    assertEquals(202, test.get("statusCode").asInt());
    runUntil(sender(EndpointRules.Mode.LOCAL, Duration.ofSeconds(2)), () -> receiver.requests.size() >= 2);
    Received later = receiver.requests.get(1);
    assertEquals(1, later.header("webhook-signature").split(" ").length);
    assertTrue(verifies(newSecret, later));
    assertEquals("webhook.test", Json.MAPPER.readTree(later.body()).get("type").asText());
  }

  @Test
  void gone410DisablesTheEndpoint_andLaterEventsAreSkippedUntilAReplay() throws Exception {
    List<Integer> answers = new ArrayList<>(List.of(410));
    receiver = new Receiver(() -> answers.isEmpty() ? 200 : answers.removeFirst());
    Hook hook = register(receiver.url(), "job.rejected");
    end(submitJob(), "REJECTED");
    DeliverySender sender = sender(EndpointRules.Mode.LOCAL, Duration.ofSeconds(2));
    runUntil(sender, () -> receiver.requests.size() >= 1);
    drainQueue(sender);
    JsonNode webhook = body(call("GET", "/v1/webhooks/" + hook.id(), KEY_A, Map.of(), null));
    assertTrue(webhook.get("disabled").asBoolean());
    assertTrue(webhook.get("disabledReason").asText().contains("410"), webhook.toString());

    end(submitJob(), "REJECTED");
    JsonNode log = body(call("GET", "/v1/webhooks/" + hook.id() + "/deliveries", KEY_A, Map.of(), null));
    assertEquals(List.of("SKIPPED", "FAILED"), List.of(log.get("deliveries").get(0).get("status").asText(),
        log.get("deliveries").get(1).get("status").asText()));
    assertEquals(1, receiver.requests.size(), "nothing sent to a disabled endpoint");

    // Enabled again, a replay sends what it missed: both events, once each.
    call("PATCH", "/v1/webhooks/" + hook.id(), KEY_A, Map.of(), "{\"disabled\":false}");
    JsonNode replay = body(call("POST", "/v1/webhooks/" + hook.id() + "/replay", KEY_A, Map.of(),
        "{\"since\":\"" + CLOCK.instant().minusSeconds(3600) + "\"}"));
    assertEquals(2, replay.get("replayed").asInt());
    runUntil(sender, () -> receiver.requests.size() >= 3);
    drainQueue(sender);
    assertEquals(3, receiver.requests.size());
  }

  @Test
  void aTimeoutIsRetried_andARedirectIsNotFollowed() throws Exception {
    List<Integer> answers = new ArrayList<>(List.of(-1, 302, 200)); // -1: answer after the sender gave up
    receiver = new Receiver(() -> answers.removeFirst());
    Hook hook = register(receiver.url(), "job.rejected");
    end(submitJob(), "REJECTED");
    runUntil(sender(EndpointRules.Mode.LOCAL, Duration.ofMillis(500)), () -> receiver.requests.size() >= 3);
    JsonNode attempts = body(call("GET", "/v1/webhooks/" + hook.id() + "/deliveries", KEY_A, Map.of(), null))
        .get("deliveries").get(0).get("attempts");
    assertTrue(attempts.get(0).get("error").asText().startsWith("timed out"), attempts.toString());
    assertEquals(302, attempts.get(1).get("httpStatus").asInt());
    assertEquals(200, attempts.get(2).get("httpStatus").asInt());
    assertEquals(0, receiver.redirectTargetHits, "the Location was not followed");
  }

  @Test
  void inAwsModeTheSenderRefusesAnEndpointThatNowResolvesToAPrivateAddress() throws Exception {
    receiver = new Receiver(() -> 200);
    // https to loopback: allowed when registered in local mode; the AWS rules refuse the address.
    Hook hook = register(receiver.url().replace("http:", "https:"), "job.rejected");
    end(submitJob(), "REJECTED");
    DeliverySender aws = sender(EndpointRules.Mode.AWS, Duration.ofSeconds(2));
    Message m = receiveOne();
    assertEquals(DeliverySender.Outcome.RETRY_SCHEDULED, aws.process(m.body()));
    assertEquals(0, receiver.requests.size(), "no connection was made");
    JsonNode attempt = body(call("GET", "/v1/webhooks/" + hook.id() + "/deliveries", KEY_A, Map.of(), null))
        .get("deliveries").get(0).get("attempts").get(0);
    assertTrue(attempt.get("error").asText().contains("loopback"), attempt.toString());
    drainQueue(aws);
    // The schedule (three attempts here) ran out: FAILED, and kept in the log.
    JsonNode delivery = deliveriesOf(hook).get(0);
    assertEquals("FAILED", delivery.get("status").asText(), delivery.toString());
    assertEquals(3, delivery.get("attemptCount").asInt());
    assertEquals(0, receiver.requests.size());
  }

  @Test
  void fiveDaysOfFailuresDisableTheEndpoint() throws Exception {
    receiver = new Receiver(() -> 503);
    Hook hook = register(receiver.url(), "job.rejected");
    end(submitJob(), "REJECTED");
    DeliverySender sender = sender(EndpointRules.Mode.LOCAL, Duration.ofSeconds(2));
    assertEquals(DeliverySender.Outcome.RETRY_SCHEDULED, sender.process(receiveOne().body()));
    assertFalse(body(call("GET", "/v1/webhooks/" + hook.id(), KEY_A, Map.of(), null)).get("disabled").asBoolean());
    CLOCK.shift = Duration.ofDays(5).plusSeconds(1);
    end(submitJob(), "REJECTED");
    runUntil(sender, () -> body(call("GET", "/v1/webhooks/" + hook.id(), KEY_A, Map.of(), null)).get("disabled").asBoolean());
    JsonNode webhook = body(call("GET", "/v1/webhooks/" + hook.id(), KEY_A, Map.of(), null));
    assertTrue(webhook.get("disabledReason").asText().contains("5 days"), webhook.toString());
    drainQueue(sender);
  }

  @Test
  void replayAfterAnOutage_deliversEveryMissedEventExactlyOnce() throws Exception {
    boolean[] down = {true};
    receiver = new Receiver(() -> down[0] ? 503 : 200);
    Hook hook = register(receiver.url(), "job.rejected");
    Instant before = CLOCK.instant();
    for (int i = 0; i < 4; i++) {
      end(submitJob(), "REJECTED");
    }
    DeliverySender sender = sender(EndpointRules.Mode.LOCAL, Duration.ofSeconds(2));
    runUntil(sender, () -> receiver.requests.size() >= 4); // the first attempts fail
    down[0] = false;
    JsonNode replay = body(call("POST", "/v1/webhooks/" + hook.id() + "/replay", KEY_A, Map.of(),
        "{\"since\":\"" + before + "\"}"));
    assertEquals(4, replay.get("replayed").asInt());
    assertTrue(replay.get("complete").asBoolean());
    drainQueue(sender); // the replayed attempts, and the retries scheduled before the replay, now stale
    Map<String, Long> delivered = new java.util.HashMap<>();
    for (Received r : receiver.requests) {
      if (r.answered() == 200) {
        delivered.merge(r.header("webhook-id"), 1L, Long::sum);
      }
    }
    assertEquals(4, delivered.size(), delivered.toString());
    assertTrue(delivered.values().stream().allMatch(n -> n == 1), delivered.toString());
  }

  @Test
  void aBatchCompletesOnce_whenItsLastJobEnds() throws Exception {
    receiver = new Receiver(() -> 200);
    Hook hook = register(receiver.url(), "batch.completed");
    JsonNode batch = body(call("POST", "/v1/batches", KEY_A, Map.of(), "{\"items\":["
        + "{\"keyId\":\"" + keyId + "\",\"kind\":\"message\",\"message\":\"0a\"},"
        + "{\"keyId\":\"" + keyId + "\",\"kind\":\"message\",\"message\":\"0b\"}]}"));
    String batchId = batch.get("batchId").asText();
    List<String> jobs = new ArrayList<>();
    batch.get("items").forEach(i -> jobs.add(i.get("jobId").asText()));
    List<StreamChange> first = end(jobs.get(0), "REJECTED");
    assertEquals(0, deliveriesOf(hook).size(), "one of two jobs ended: not complete");
    List<StreamChange> second = end(jobs.get(1), "FAILED");
    dispatcher.dispatch(first);
    dispatcher.dispatch(second);
    JsonNode deliveries = deliveriesOf(hook);
    assertEquals(1, deliveries.size(), deliveries.toString());
    assertEquals("batch.completed", deliveries.get(0).get("eventType").asText());
    runUntil(sender(EndpointRules.Mode.LOCAL, Duration.ofSeconds(2)), () -> receiver.requests.size() >= 1);
    JsonNode event = Json.MAPPER.readTree(receiver.requests.getFirst().body());
    assertEquals(batchId, event.get("data").get("batchId").asText());
    assertTrue(event.get("data").get("done").asBoolean());
  }

  @Test
  void theLambdaHandlersReadTheirEventJson_andAnswerPartialBatchFailures() throws Exception {
    receiver = new Receiver(() -> 200);
    Hook hook = register(receiver.url(), "job.rejected");
    String jobId = java.util.UUID.randomUUID().toString();
    String event;
    try (InputStream in = getClass().getResourceAsStream("/events/dynamodb-stream.json")) {
      event = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("JOB_ID", jobId).replace("TENANT",
          "wa" + tenants);
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    new WebhookDispatchHandler(dispatcher).handleRequest(
        new java.io.ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
    assertEquals("{\"batchItemFailures\":[]}", out.toString(StandardCharsets.UTF_8));
    JsonNode deliveries = deliveriesOf(hook);
    assertEquals(1, deliveries.size(), "the INSERT makes no event, the move to REJECTED one");
    assertEquals(jobId, deliveries.get(0).get("jobId").asText());

    Message queued = receiveOne();
    String sqsEvent;
    try (InputStream in = getClass().getResourceAsStream("/events/sqs-deliveries.json")) {
      sqsEvent = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\"BODY\"",
          Json.MAPPER.writeValueAsString(queued.body()));
    }
    out.reset();
    new WebhookSenderHandler(sender(EndpointRules.Mode.LOCAL, Duration.ofSeconds(2))).handleRequest(
        new java.io.ByteArrayInputStream(sqsEvent.getBytes(StandardCharsets.UTF_8)), out, null);
    assertEquals("{\"batchItemFailures\":[{\"itemIdentifier\":\"2e1424d4-f796-459a-8184-9c92662be6da\"}]}",
        out.toString(StandardCharsets.UTF_8), "the message that is not a delivery message comes back, to its DLQ");
    assertEquals(1, receiver.requests.size());
    assertEquals("job.rejected", Json.MAPPER.readTree(receiver.requests.getFirst().body()).get("type").asText());
  }

  @Test
  void aWaitLongerThanSqssFifteenMinutesIsChained() throws Exception {
    DeliverySender sender = sender(EndpointRules.Mode.LOCAL, Duration.ofSeconds(2));
    String body = Json.write(dev.keep.schema.queue.DeliveryMessage.of("dlv_" + "0".repeat(32), "ab".repeat(16),
        CLOCK.instant().plus(Duration.ofHours(2)).toString()));
    assertEquals(DeliverySender.Outcome.DEFERRED, sender.process(body));
    var attributes = stack.sqs.getQueueAttributes(b -> b.queueUrl(stack.deliveryQueueUrl).attributeNames(
        software.amazon.awssdk.services.sqs.model.QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
    assertEquals("1", attributes.get(software.amazon.awssdk.services.sqs.model.QueueAttributeName
        .APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED), "sent on with SQS's longest delay, for the rest of the wait");
  }

  // ---- the rig

  record Hook(String id, String secret) {}

  private static JsonNode deliveriesOf(Hook hook) throws IOException {
    return body(call("GET", "/v1/webhooks/" + hook.id() + "/deliveries", KEY_A, Map.of(), null)).get("deliveries");
  }

  private static Hook register(String url, String... types) throws IOException {
    JsonNode made = body(call("POST", "/v1/webhooks", KEY_A, Map.of(), create(url, types)));
    return new Hook(made.get("webhookId").asText(), made.get("secret").asText());
  }

  private static String create(String url, String... types) {
    return Json.write(Map.of("url", url, "eventTypes", List.of(types), "description", "test"));
  }

  private static String submitJob() throws IOException {
    JsonNode answer = call("POST", "/v1/jobs", KEY_A, Map.of(), "{\"keyId\":\"" + keyId + "\",\"kind\":\"message\",\"message\":\"0a\"}");
    assertEquals(202, answer.get("statusCode").asInt(), answer.toString());
    return body(answer).get("jobId").asText();
  }

  /** Moves a job to a terminal status as a worker would, then dispatches what the stream has. */
  private static List<StreamChange> end(String jobId, String status) {
    stack.dynamo.updateItem(b -> b.tableName(stack.prefix + Tables.JOBS.name())
        .key(Map.of("jobId", AttributeValue.fromS(jobId)))
        .updateExpression("SET #s = :s, updatedAt = :u, errorCode = :c, errorMessage = :m REMOVE pendingShard")
        .expressionAttributeNames(Map.of("#s", "status"))
        .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(status), ":u",
            AttributeValue.fromS(CLOCK.instant().toString()), ":c", AttributeValue.fromS("POLICY_DENIED"),
            ":m", AttributeValue.fromS("rule 'x' refused"))));
    return drainStream();
  }

  /** Hands the stream's new records to the dispatcher, as the stream Lambda would. */
  private static List<StreamChange> drainStream() {
    var response = streams.getRecords(b -> b.shardIterator(shardIterator).limit(1000));
    shardIterator = response.nextShardIterator();
    List<StreamChange> changes = response.records().stream().map(StreamChange::of).toList();
    dispatcher.dispatch(changes);
    return changes;
  }

  private static DeliverySender sender(EndpointRules.Mode mode, Duration timeout) {
    return ApiHandler.sender(stack.dynamo, stack.sqs, stack.kms, stack.config(mode),
        new DeliverySender.Settings(SHORT, timeout, Duration.ofDays(5)), CLOCK);
  }

  private static Message receiveOne() {
    for (int i = 0; i < 10; i++) {
      List<Message> m = stack.sqs.receiveMessage(b -> b.queueUrl(stack.deliveryQueueUrl).maxNumberOfMessages(1)
          .waitTimeSeconds(1)).messages();
      if (!m.isEmpty()) {
        stack.sqs.deleteMessage(b -> b.queueUrl(stack.deliveryQueueUrl).receiptHandle(m.getFirst().receiptHandle()));
        return m.getFirst();
      }
    }
    throw new AssertionError("no delivery message");
  }

  interface Check {
    boolean done() throws Exception;
  }

  /** Does what the queue Lambda does until {@code done}: receive, process, delete. */
  private static void runUntil(DeliverySender sender, Check done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!done.done()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not done within 30 s");
      }
      for (Message m : stack.sqs.receiveMessage(b -> b.queueUrl(stack.deliveryQueueUrl).maxNumberOfMessages(10)
          .waitTimeSeconds(1)).messages()) {
        sender.process(m.body());
        stack.sqs.deleteMessage(b -> b.queueUrl(stack.deliveryQueueUrl).receiptHandle(m.receiptHandle()));
      }
    }
  }

  /** Processes messages until the queue has had none, delayed ones included, for 2.5 s. */
  private static void drainQueue(DeliverySender sender) {
    int idle = 0;
    while (idle < 3) {
      List<Message> batch = stack.sqs.receiveMessage(b -> b.queueUrl(stack.deliveryQueueUrl).maxNumberOfMessages(10)
          .waitTimeSeconds(1)).messages();
      idle = batch.isEmpty() ? idle + 1 : 0;
      for (Message m : batch) {
        sender.process(m.body());
        stack.sqs.deleteMessage(b -> b.queueUrl(stack.deliveryQueueUrl).receiptHandle(m.receiptHandle()));
      }
    }
  }

  /** The receiver's check, written from the specification with the JDK only. */
  private static boolean verifies(String secret, Received r) throws Exception {
    for (String signature : r.header("webhook-signature").split(" ")) {
      if (verifiesOne(secret, r, signature)) {
        return true;
      }
    }
    return false;
  }

  private static boolean verifiesOne(String secret, Received r, String signature) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
    byte[] expected = mac.doFinal((r.header("webhook-id") + "." + r.header("webhook-timestamp") + "." + r.body())
        .getBytes(StandardCharsets.UTF_8));
    return signature.startsWith("v1,")
        && MessageDigest.isEqual(expected, Base64.getDecoder().decode(signature.substring(3)));
  }

  private static JsonNode call(String method, String path, String apiKey, Map<String, String> headers, String body)
      throws IOException {
    Map<String, String> all = new java.util.HashMap<>(headers);
    all.put("content-type", "application/json");
    return ApiTestStack.invoke(api, ApiTestStack.event(method, path, "", apiKey, all, body));
  }

  private static JsonNode body(JsonNode response) throws IOException {
    return Json.MAPPER.readTree(response.get("body").asText());
  }

  record Received(Map<String, String> headers, String body, int answered) {
    String header(String name) {
      return headers.get(name);
    }
  }

  /** A real HTTP receiver on loopback that answers each request with the next scripted status. */
  static final class Receiver implements AutoCloseable {
    final HttpServer server;
    final List<Received> requests = new CopyOnWriteArrayList<>();
    final java.util.concurrent.CountDownLatch gaveUp = new java.util.concurrent.CountDownLatch(1);
    volatile int redirectTargetHits;

    Receiver(IntSupplier answers) throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
      server.createContext("/elsewhere", exchange -> {
        redirectTargetHits++;
        exchange.sendResponseHeaders(200, -1);
        exchange.close();
      });
      server.createContext("/hook", exchange -> {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        int status;
        synchronized (this) {
          status = answers.getAsInt();
        }
        Map<String, String> headers = new java.util.HashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v.getFirst()));
        requests.add(new Received(headers, body, status));
        if (status == -1) {
          // Answer only once the sender has given up on this attempt (its next one has come), or
          // when the receiver closes.
          try {
            gaveUp.await(10, java.util.concurrent.TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          status = 200;
        } else {
          gaveUp.countDown();
        }
        if (status == 302) {
          exchange.getResponseHeaders().add("Location", url().replace("/hook", "/elsewhere"));
        }
        // 299: a 2xx with a 5,000-byte body, of which the log keeps the first 1 KiB.
        byte[] answer = status == 299 ? "x".repeat(5_000).getBytes(StandardCharsets.UTF_8)
            : ("answer " + status).getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, answer.length);
        exchange.getResponseBody().write(answer);
        exchange.close();
      });
      server.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    @Override
    public void close() {
      gaveUp.countDown();
      server.stop(0);
    }
  }

  /** The system clock, moved forward by {@code shift}: for rotation overlap and days of failures. */
  static final class ShiftedClock extends Clock {
    volatile Duration shift = Duration.ZERO;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(shift);
    }
  }

}
