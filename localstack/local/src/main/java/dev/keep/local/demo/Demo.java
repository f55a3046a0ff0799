package dev.keep.local.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.local.stack.LocalStack;
import dev.keep.local.verify.IndependentChecks;
import dev.keep.local.verify.TransactionCheck;
import dev.keep.local.wallet.ExampleWallet;
import dev.keep.schema.encoding.Hex;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * {@code keep demo}: starts the local stack, creates a tenant and a key, submits jobs over HTTP,
 * waits for them, verifies every signature with an implementation independent of the enclave, and
 * reports throughput and latency.
 */
public final class Demo {
  /** One submitted job and what became of it. */
  public record Outcome(
      String jobId, String kind, String status, String signature, boolean verified, String problem,
      Instant createdAt, Instant finishedAt) {}

  /**
   * What a run produced; {@code baselineWritesPerSecond} is 0 when no baseline was measured. The
   * PSBT jobs run after the timed batch and are not part of its figures.
   */
  public record Report(List<Outcome> jobs, Duration wall, double jobsPerSecond, long p50Millis, long p99Millis,
      double baselineWritesPerSecond, List<Outcome> psbts, List<Outcome> policy, List<Outcome> fleet,
      Requests requests, Paced paced, List<Outcome> batch, Webhooks webhooks, AuditStep.Result audit) {
    /**
     * Every job and PSBT signed and verified, and every policy step ended as the policy says it
     * must (a dry run EVALUATED, a job over the limit REJECTED with the rule, one at it SIGNED).
     */
    public boolean allSignedAndVerified() {
      return java.util.stream.Stream.concat(jobs.stream(), psbts.stream())
          .allMatch(j -> "SIGNED".equals(j.status()) && j.verified())
          && policy.stream().allMatch(Outcome::verified)
          && fleet.stream().allMatch(Outcome::verified)
          && batch.stream().allMatch(Outcome::verified)
          && (paced == null || paced.allSigned())
          && (webhooks == null || webhooks.complete())
          && (audit == null || audit.passed());
    }
  }

  /**
   * AWS requests per job in the timed run, by "component service operation", counted by an SDK
   * interceptor on every client of the stack; {@code polls} is how many status reads the demo
   * made, which are its own cost as a polling client, not a job's.
   */
  public record Requests(Map<String, Double> perJob, Map<String, Double> millisEach, long polls, int jobs) {
    double total(String component, String service) {
      return perJob.entrySet().stream()
          .filter(e -> e.getKey().startsWith(component + " " + service + " "))
          .mapToDouble(Map.Entry::getValue).sum();
    }
  }

  /**
   * The webhook step (issue #18): the events the receiver got, each verified by the receiver's own
   * Standard Webhooks check; how many jobs ended ({@code expected}, plus one {@code
   * batch.completed}); attempts per event; job end to receipt; and AWS requests per delivery of the
   * dispatcher and sender together.
   */
  public record Webhooks(int expected, List<WebhookReceiver.Seen> events, long p50Millis, long p99Millis,
      long pacedP50Millis, long pacedP99Millis, Map<String, Double> requestsPerDelivery) {
    public boolean complete() {
      return events.size() == expected && events.stream().allMatch(e -> e.allVerified() && e.firstAccepted() != null);
    }
  }

  /** Latency of a second run submitted at a fixed {@code rate}: half the timed run's throughput. */
  public record Paced(int jobs, double rate, long p50Millis, long p99Millis, boolean allSigned, List<String> jobIds) {}

  private static final int SUBMITTERS = 16;
  private final PrintStream out;
  private final SecureRandom random = new SecureRandom();

  public Demo(PrintStream out) {
    this.out = out;
  }

  /** Runs the demo on a stack that is already up; {@code timeout} bounds the wait for results. */
  public Report run(LocalStack stack, int jobCount, Duration timeout) throws Exception {
    String apiKey = dev.keep.api.auth.ApiKeys.generate("keep_demo_");
    String tenant = "demo";
    stack.createTenant(tenant, apiKey);
    String keyId = "demo-key-" + Hex.encode(randomBytes(3));
    EnclaveResponse.KeyInfo key = stack.createKey(keyId, tenant);
    out.printf("key %s  public key %s  npub %s%n", keyId, key.publicKey(), key.npub());
    out.println("policy: " + LocalStack.DEVELOPMENT_POLICY_NOTICE);
    JobsClient client = new JobsClient(stack.apiUrl(), apiKey);
    try (WebhookReceiver receiver = WebhookReceiver.start()) {
      Map<String, Long> hooksBefore = stack.requests().snapshot();
      JobsClient.Answer hook = client.post("/v1/webhooks", Json.write(Map.of("url", receiver.url(), "eventTypes",
          List.of("job.signed", "job.rejected", "job.failed", "job.evaluated", "batch.completed"),
          "description", "the demo's receiver")));
      if (hook.status() != 201) {
        throw new IllegalStateException("registering the demo's webhook answered " + hook.status() + ": " + hook.body());
      }
      receiver.trust(hook.body().get("secret").asText());
      out.printf("webhook %s -> %s (the receiver fails its first request, to show a retry)%n",
          hook.body().get("webhookId").asText(), receiver.url());
      Report report = runJobs(stack, client, tenant, keyId, key, jobCount, timeout);
      Webhooks webhooks = awaitWebhooks(stack, client, receiver, hooksBefore, report.paced(), Instant.now().plus(timeout));
      AuditStep.Result audit = AuditStep.run(stack, tenant, Instant.now().plus(timeout));
      return new Report(report.jobs(), report.wall(), report.jobsPerSecond(), report.p50Millis(), report.p99Millis(),
          report.baselineWritesPerSecond(), report.psbts(), report.policy(), report.fleet(), report.requests(),
          report.paced(), report.batch(), webhooks, audit);
    }
  }

  private Report runJobs(LocalStack stack, JobsClient client, String tenant, String keyId, EnclaveResponse.KeyInfo key,
      int jobCount, Duration timeout) throws Exception {
    Map<String, Long> before = stack.requests().snapshot();
    Map<String, Double> millisBefore = stack.requests().millis();
    long pollsBefore = client.gets();
    Instant start = Instant.now();
    List<Submitted> submitted = submitAll(client, keyId, key.xOnly(), jobCount);
    out.printf("submitted %d jobs over HTTP in %.2f s%n", jobCount, secondsSince(start));

    List<Outcome> outcomes = awaitAll(client, submitted, key, Instant.now().plus(timeout));
    Duration wall = Duration.between(start, Instant.now());
    Requests requests = perJob(stack.requests().snapshot(), before, stack.requests().millis(), millisBefore,
        client.gets() - pollsBefore, jobCount);
    Paced paced = null;
    if (jobCount >= BASELINE_FROM_JOBS) {
      double rate = report(outcomes, wall, 0, List.of(), List.of(), List.of(), requests, null, List.of()).jobsPerSecond() / 2;
      paced = paced(client, keyId, key, Math.max(50, jobCount / 4), rate, Instant.now().plus(timeout));
    }
    double baseline = jobCount >= BASELINE_FROM_JOBS ? new StoreBaseline(stack.dynamo(), stack.tablePrefix() + "keep-baseline").writesPerSecond(2000, SUBMITTERS) : 0;
    List<Outcome> psbts = psbts(stack, client, tenant, Instant.now().plus(timeout));
    List<Outcome> policy = policy(stack, client, tenant, Instant.now().plus(timeout));
    List<Outcome> batch = batch(stack, client, keyId, key, Instant.now().plus(timeout));
    List<Outcome> fleet = stack.hostCount() > 1
        ? fleet(stack, client, tenant, Instant.now().plus(timeout)) : List.of();
    return report(outcomes, wall, baseline, psbts, policy, fleet, requests, paced, batch);
  }

  /**
   * Waits until the receiver has accepted an event for every job of the tenant that ended, and the
   * batch's {@code batch.completed}; the retried event needs the schedule's 5 s.
   */
  private Webhooks awaitWebhooks(LocalStack stack, JobsClient client, WebhookReceiver receiver,
      Map<String, Long> before, Paced paced, Instant deadline) throws Exception {
    java.util.Set<String> ended = new java.util.HashSet<>();
    String cursor = null;
    do {
      JobsClient.Answer page = client.getPath("/v1/jobs?limit=100" + (cursor == null ? "" : "&cursor=" + cursor));
      page.body().get("jobs").forEach(j -> {
        if (!List.of("QUEUED", "RUNNING").contains(j.get("status").asText())) {
          ended.add(j.get("jobId").asText());
        }
      });
      cursor = page.body().hasNonNull("nextCursor") ? page.body().get("nextCursor").asText() : null;
    } while (cursor != null);
    int expected = ended.size() + 1;
    while (Instant.now().isBefore(deadline)) {
      Map<String, WebhookReceiver.Seen> seen = receiver.seen();
      long accepted = seen.values().stream().filter(e -> e.firstAccepted() != null).count();
      if (accepted >= expected) {
        break;
      }
      Thread.sleep(200);
    }
    List<WebhookReceiver.Seen> events = List.copyOf(receiver.seen().values());
    long[] latencies = latencies(events, e -> true);
    // The paced run's events: job end to receipt at half the pipeline's rate, not at saturation.
    java.util.Set<String> pacedJobs = paced == null ? java.util.Set.of() : java.util.Set.copyOf(paced.jobIds());
    long[] pacedLatencies = latencies(events, e -> e.jobId() != null && pacedJobs.contains(e.jobId()));
    Map<String, Long> after = stack.requests().snapshot();
    long deliveries = events.stream().mapToLong(WebhookReceiver.Seen::attempts).sum();
    Map<String, Double> perDelivery = new java.util.TreeMap<>();
    after.forEach((k, v) -> {
      // Lambda reads a stream for its trigger at no charge per request; the local poller's idle reads are left out.
      if (k.startsWith("webhooks ") && !k.contains("Streams")) {
        double n = (v - before.getOrDefault(k, 0L)) / (double) Math.max(1, events.size());
        if (n > 0) {
          perDelivery.put(k.substring("webhooks ".length()), n);
        }
      }
    });
    return new Webhooks(expected, events, percentile(latencies, 50), percentile(latencies, 99),
        percentile(pacedLatencies, 50), percentile(pacedLatencies, 99), perDelivery);
  }

  private static long[] latencies(List<WebhookReceiver.Seen> events, java.util.function.Predicate<WebhookReceiver.Seen> which) {
    return events.stream().filter(e -> e.firstAccepted() != null && e.eventTime() != null).filter(which)
        .mapToLong(e -> Duration.between(e.eventTime(), e.firstAccepted()).toMillis()).sorted().toArray();
  }

  private static Requests perJob(Map<String, Long> after, Map<String, Long> before, Map<String, Double> millisAfter,
      Map<String, Double> millisBefore, long polls, int jobs) {
    Map<String, Double> perJob = new java.util.TreeMap<>();
    Map<String, Double> millisEach = new java.util.TreeMap<>();
    Map<String, Long> made = dev.keep.local.stack.AwsRequestCounter.since(before, after);
    made.forEach((k, v) -> millisEach.put(k,
        (millisAfter.getOrDefault(k, 0.0) - millisBefore.getOrDefault(k, 0.0)) / v));
    made.forEach((k, v) -> {
      // Leave out what the demo's own status polls cost: one jobs-table read each (API keys are
      // remembered, so a poll reads nothing else).
      double count = k.equals("api DynamoDB GetItem") ? Math.max(0, v - polls) : v;
      if (count > 0 && !k.startsWith("operator ")) {
        perJob.put(k, count / jobs);
      }
    });
    return new Requests(perJob, millisEach, polls, jobs);
  }

  /**
   * Submits {@code count} BIP-340 message jobs at a fixed {@code rate} (a job every 1/rate s, from
   * its own virtual thread, so a slow answer does not delay the next), and reports the latency.
   */
  private Paced paced(JobsClient client, String keyId, EnclaveResponse.KeyInfo key, int count, double rate,
      Instant deadline) throws Exception {
    List<Future<Submitted>> futures = new ArrayList<>();
    long intervalNanos = (long) (1e9 / Math.max(0.1, rate));
    long t0 = System.nanoTime();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < count; i++) {
        long due = t0 + i * intervalNanos;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          java.util.concurrent.locks.LockSupport.parkNanos(wait); // pacing the submissions, not waiting for a result
        }
        byte[] message = ("keep demo paced " + i + " " + Hex.encode(randomBytes(8))).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String body = Json.write(Json.MAPPER.createObjectNode().put("keyId", keyId).put("kind", "message")
            .put("message", Hex.encode(message)));
        futures.add(pool.submit(() -> new Submitted(submitted(client, body), "bip340", message, null)));
      }
    }
    List<Submitted> jobs = new ArrayList<>();
    for (Future<Submitted> f : futures) {
      jobs.add(f.get());
    }
    List<Outcome> outcomes = awaitAll(client, jobs, key, deadline);
    long[] latencies = outcomes.stream().filter(j -> j.createdAt() != null)
        .mapToLong(j -> Duration.between(j.createdAt(), j.finishedAt()).toMillis()).sorted().toArray();
    boolean allSigned = outcomes.stream().allMatch(o -> "SIGNED".equals(o.status()) && o.verified());
    return new Paced(count, rate, percentile(latencies, 50), percentile(latencies, 99), allSigned,
        jobs.stream().map(Submitted::jobId).toList());
  }

  /** The batch step's size: 200 of the demo's mixed jobs in one {@code POST /v1/batches}. */
  static final int BATCH_ITEMS = 200;

  /**
   * The batch step (issue #17): 200 mixed jobs as one batch with an {@code Idempotency-Key}, its
   * progress from {@code GET /v1/batches/{id}} (a bar on a terminal, a line a second otherwise),
   * every result read from {@code GET /v1/batches/{id}/jobs} and verified as the other jobs are;
   * then the same request again, which must answer the same batch, marked replayed, and store
   * nothing new. The last outcome is the replay's check.
   */
  private List<Outcome> batch(LocalStack stack, JobsClient client, String keyId, EnclaveResponse.KeyInfo key,
      Instant deadline) throws Exception {
    List<Prepared> items = new ArrayList<>();
    ObjectNode body = Json.MAPPER.createObjectNode();
    var array = body.putArray("items");
    for (int i = 0; i < BATCH_ITEMS; i++) {
      Prepared p = prepare(i, keyId, key.xOnly(), "batch");
      items.add(p);
      array.add(p.body().deepCopy().put("reference", "demo-payout-" + i));
    }
    String text = Json.write(body);
    String idempotencyKey = "demo-batch-" + Hex.encode(randomBytes(6));
    Map<String, Long> before = stack.requests().snapshot();
    long start = System.nanoTime();
    JobsClient.Answer accepted = client.submitBatch(text, idempotencyKey);
    double acceptSeconds = (System.nanoTime() - start) / 1e9;
    long apiRequests = dev.keep.local.stack.AwsRequestCounter.since(before, stack.requests().snapshot()).entrySet().stream()
        .filter(e -> e.getKey().startsWith("api ")).mapToLong(Map.Entry::getValue).sum();
    if (accepted.status() != 202) {
      throw new IllegalStateException("POST /v1/batches answered " + accepted.status() + ": " + accepted.body());
    }
    String batchId = accepted.body().get("batchId").asText();
    out.printf(Locale.ROOT, "batch %s  %d jobs in one POST /v1/batches, accepted in %.2f s with %d AWS requests (%.2f a job)%n",
        batchId, BATCH_ITEMS, acceptSeconds, apiRequests, apiRequests / (double) BATCH_ITEMS);

    boolean tty = System.console() != null && out == System.out;
    JsonNode status = client.batch(batchId, "").body();
    long lastLine = 0;
    while (!status.path("done").asBoolean() && Instant.now().isBefore(deadline)) {
      JsonNode counts = status.path("counts");
      int ended = counts.path("SIGNED").asInt() + counts.path("REJECTED").asInt() + counts.path("FAILED").asInt();
      if (tty) {
        int width = 40;
        int filled = ended * width / BATCH_ITEMS;
        out.printf("\r  [%s%s] %d/%d ended", "#".repeat(filled), ".".repeat(width - filled), ended, BATCH_ITEMS);
        out.flush();
      } else if (System.nanoTime() - lastLine > 1_000_000_000L) {
        out.printf("  batch: %d/%d ended (%s)%n", ended, BATCH_ITEMS, counts);
        lastLine = System.nanoTime();
      }
      Thread.sleep(250); // Poll interval while the batch is in progress.
      status = client.batch(batchId, "").body();
    }
    if (tty) {
      out.printf("\r  [%s] %d/%d ended%n", "#".repeat(40), BATCH_ITEMS, BATCH_ITEMS);
    }
    out.printf("batch %s  %s, completed at %s%n", batchId, status.path("counts"), status.path("completedAt").asText("?"));

    List<Outcome> outcomes = new ArrayList<>();
    String cursor = null;
    do {
      JsonNode page = client.batch(batchId, "/jobs?limit=100" + (cursor == null ? "" : "&cursor=" + cursor)).body();
      for (JsonNode view : page.path("jobs")) {
        Prepared p = items.get(view.path("batchIndex").asInt());
        outcomes.add(check(new Submitted(view.path("jobId").asText(), p.kind(), p.message(), p.event()), view, key));
      }
      cursor = page.hasNonNull("nextCursor") ? page.get("nextCursor").asText() : null;
    } while (cursor != null);
    if (outcomes.size() != BATCH_ITEMS) {
      outcomes.add(new Outcome(batchId, "batch", "INCOMPLETE", null, false,
          "the batch listed " + outcomes.size() + " jobs, not " + BATCH_ITEMS, null, null));
    }

    JobsClient.Answer replay = client.submitBatch(text, idempotencyKey);
    boolean same = replay.status() == 202 && replay.replayed() && batchId.equals(replay.body().path("batchId").asText());
    out.printf("replay: the same POST /v1/batches with Idempotency-Key %s answered %d, Idempotent-Replayed: %s,"
        + " batchId %s (%s)%n", idempotencyKey, replay.status(), replay.replayed(), replay.body().path("batchId").asText(),
        same ? "the same batch, answered from its idempotency record" : "NOT THE FIRST ANSWER");
    outcomes.add(new Outcome(batchId, "batch replay", same ? "REPLAYED" : "WRONG", null, same,
        same ? null : "replay answered " + replay.status() + " " + replay.body(), null, null));
    return outcomes;
  }

  /** The fleet step's limit: a key that may sign {@value} times an hour, across every host. */
  static final int FLEET_LIMIT = 50;

  /**
   * A key's limit across the fleet (issue #15): a key that may sign 50 times an hour gets 150 jobs
   * at once, which the queue spreads over every host's worker and enclave. Exactly 50 must end
   * SIGNED and 100 REJECTED naming the rule: each enclave decides on the key's stored state, and a
   * decision on a state another host replaced first is made again.
   */
  private List<Outcome> fleet(LocalStack stack, JobsClient client, String tenant, Instant deadline) throws Exception {
    String keyId = "demo-fleet-" + Hex.encode(randomBytes(3));
    stack.createKey(keyId, tenant, new EnclaveRequest.KeySpec("single", "testnet", false), """
        {"version": 1, "rule": {"id": "fleet", "all": [
          {"id": "messages", "type": "allowed_kinds", "kinds": ["message"]},
          {"id": "fifty-an-hour", "type": "max_count", "window": "1h", "count": %d}]}}
        """.formatted(FLEET_LIMIT));
    int total = 3 * FLEET_LIMIT;
    out.printf("key %s  policy: max_count %d an hour; %d jobs at once over %d hosts%n", keyId, FLEET_LIMIT, total,
        stack.hostCount());
    List<String> ids = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<String>> futures = new ArrayList<>();
      for (int i = 0; i < total; i++) {
        String body = "{\"keyId\":\"" + keyId + "\",\"kind\":\"message\",\"message\":\""
            + Hex.encode(("fleet job " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "\"}";
        futures.add(pool.submit(() -> submitted(client, body)));
      }
      for (Future<String> f : futures) {
        ids.add(f.get());
      }
    }
    int signed = 0;
    int rejected = 0;
    List<String> problems = new ArrayList<>();
    java.util.Map<String, Integer> byWorker = new java.util.TreeMap<>();
    String expectedReason = "policy rule 'fifty-an-hour': max_count 1h: " + FLEET_LIMIT + " + 1 > " + FLEET_LIMIT;
    for (String id : ids) {
      JsonNode view = await(client, id, deadline);
      switch (view.path("status").asText()) {
        case "SIGNED" -> signed++;
        case "REJECTED" -> {
          rejected++;
          if (!expectedReason.equals(view.path("error").path("message").asText())) {
            problems.add(id + ": " + view.path("error").path("message").asText());
          }
        }
        default -> problems.add(id + " ended " + view.path("status").asText() + ": " + view.path("error"));
      }
      var audit = stack.dynamo().getItem(b -> b.tableName(stack.table(dev.keep.schema.tables.Tables.AUDIT))
          .key(java.util.Map.of("jobId", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(id)))).item();
      if (audit != null && audit.containsKey("workerId")) {
        byWorker.merge(audit.get("workerId").s(), 1, Integer::sum);
      }
    }
    boolean held = signed == FLEET_LIMIT && rejected == total - FLEET_LIMIT && problems.isEmpty();
    String detail = String.format("%d SIGNED, %d REJECTED (%s); jobs per worker %s", signed, rejected, expectedReason,
        byWorker);
    return List.of(new Outcome(keyId, "fleet " + stack.hostCount() + " hosts", held ? "HELD" : "BROKEN", detail, held,
        held ? null : "expected " + FLEET_LIMIT + " SIGNED and " + (total - FLEET_LIMIT) + " REJECTED by the rule; got "
            + detail + (problems.isEmpty() ? "" : "; " + problems.subList(0, Math.min(3, problems.size()))),
        Instant.now(), Instant.now()));
  }

  /** The deployment guide's example policy, which the demo's guarded key gets. */
  static final String GUIDE_POLICY = """
      {"version": 1, "rule": {"id": "guide-example", "all": [
        {"id": "psbt-only", "type": "allowed_kinds", "kinds": ["psbt"]},
        {"id": "MaxAmountSats", "type": "max_amount", "sats": 1000000},
        {"id": "MaxPerHour", "type": "max_count", "window": "1h", "count": 10}]}}
      """;

  /**
   * The policy engine through the API: a key under the deployment guide's example policy
   * (MaxAmountSats 1,000,000, MaxPerHour 10). A dry run of a 1,000,001-sat payment says deny; the
   * payment itself ends REJECTED with the rule and the reason; 1,000,000 sats are signed.
   */
  private List<Outcome> policy(LocalStack stack, JobsClient client, String tenant, Instant deadline) throws Exception {
    String guarded = "demo-guarded-" + Hex.encode(randomBytes(3));
    stack.createKey(guarded, tenant, new EnclaveRequest.KeySpec("hd", "testnet", false), GUIDE_POLICY);
    out.printf("key %s  policy: the guide's example (MaxAmountSats 1,000,000; MaxPerHour 10)%n", guarded);
    ExampleWallet wallet = ExampleWallet.of(stack, guarded);
    String over = psbtBody(guarded, wallet.taproot(1_000_001).psbtBase64());
    String atLimit = psbtBody(guarded, wallet.taproot(1_000_000).psbtBase64());
    List<Outcome> outcomes = new ArrayList<>();

    JobsClient.Answer dryRun = client.evaluate(over);
    JsonNode view = dryRun.status() == 200 ? dryRun.body() : await(client, dryRun.body().path("jobId").asText(), deadline);
    JsonNode decision = view.path("result");
    outcomes.add(expect(view, "dry run 1,000,001", "EVALUATED",
        decision.path("allowed").asBoolean() ? "allow" : "deny by '" + decision.path("ruleId").asText() + "': "
            + decision.path("reason").asText(),
        "deny by 'MaxAmountSats': max_amount: 1,000,001 sats > 1,000,000"));

    JsonNode refused = await(client, submitted(client, over), deadline);
    outcomes.add(expect(refused, "pay 1,000,001", "REJECTED", refused.path("error").path("message").asText(),
        "policy rule 'MaxAmountSats': max_amount: 1,000,001 sats > 1,000,000"));
    JsonNode signed = await(client, submitted(client, atLimit), deadline);
    outcomes.add(expect(signed, "pay 1,000,000", "SIGNED", "txid " + signed.path("result").path("summary").path("txid").asText(),
        null));
    return outcomes;
  }

  /** An outcome that is verified when the job ended in {@code status} with {@code expected} (null: any) detail. */
  private static Outcome expect(JsonNode view, String label, String status, String detail, String expected) {
    boolean ok = status.equals(view.path("status").asText()) && (expected == null || expected.equals(detail));
    String problem = ok ? null : "expected " + status + (expected == null ? "" : " (" + expected + ")") + ", got "
        + view.path("status").asText() + ": " + view.path("error").path("message").asText(detail);
    return new Outcome(view.path("jobId").asText(), label, view.path("status").asText(), detail, ok, problem,
        Instant.parse(view.path("createdAt").asText()), Instant.parse(view.path("updatedAt").asText()));
  }

  private static String psbtBody(String keyId, String psbt) {
    return Json.write(Json.MAPPER.createObjectNode().put("keyId", keyId).put("kind", "psbt").put("psbt", psbt)
        .put("network", "testnet"));
  }

  private static String submitted(JobsClient client, String body) throws Exception {
    JobsClient.Answer answer = client.submit(body);
    if (answer.status() != 202) {
      throw new IllegalStateException("submit answered " + answer.status() + ": " + answer.body());
    }
    return answer.body().get("jobId").asText();
  }

  private static JsonNode await(JobsClient client, String jobId, Instant deadline) throws Exception {
    JsonNode view = client.get(jobId).body();
    while (Set.of("QUEUED", "RUNNING").contains(view.path("status").asText()) && Instant.now().isBefore(deadline)) {
      Thread.sleep(50); // Poll interval while the job is in progress.
      view = client.get(jobId).body();
    }
    return view;
  }

  /**
   * Two PSBTs for an HD testnet key, through the API with {@code finalize}: a BIP-86 taproot
   * spend (PSBT v2) and a BIP-84 P2WPKH spend (PSBT v0), each paying out with change back. The
   * extracted transactions are checked with bitcoin-kmp's script interpreter, and the enclave's
   * analysis against what the wallet built.
   */
  private List<Outcome> psbts(LocalStack stack, JobsClient client, String tenant, Instant deadline) throws Exception {
    String walletKey = "demo-wallet-" + Hex.encode(randomBytes(3));
    stack.createKey(walletKey, tenant, new EnclaveRequest.KeySpec("hd", "testnet", false));
    ExampleWallet wallet = ExampleWallet.of(stack, walletKey);
    List<Outcome> outcomes = new ArrayList<>();
    for (ExampleWallet.Spend spend : List.of(wallet.taproot(), wallet.segwit())) {
      ObjectNode body = Json.MAPPER.createObjectNode().put("keyId", walletKey).put("kind", "psbt")
          .put("psbt", spend.psbtBase64()).put("network", "testnet").put("finalize", true);
      JobsClient.Answer answer = client.submit(Json.write(body));
      if (answer.status() != 202) {
        throw new IllegalStateException("submit answered " + answer.status() + ": " + answer.body());
      }
      String jobId = answer.body().get("jobId").asText();
      outcomes.add(checkPsbt(jobId, spend, await(client, jobId, deadline)));
    }
    return outcomes;
  }

  private static Outcome checkPsbt(String jobId, ExampleWallet.Spend spend, JsonNode view) {
    String status = view.path("status").asText();
    Instant created = Instant.parse(view.path("createdAt").asText());
    Instant finished = Instant.parse(view.path("updatedAt").asText());
    if (!status.equals("SIGNED")) {
      return new Outcome(jobId, spend.label(), status, null, false,
          view.path("error").path("code").asText() + ": " + view.path("error").path("message").asText(), created, finished);
    }
    JsonNode result = view.path("result");
    String txid = result.path("summary").path("txid").asText();
    String problem = null;
    if (!result.path("complete").asBoolean()) {
      problem = "the enclave did not complete the transaction: " + result.path("inputs");
    } else if (result.path("summary").path("fee").asLong() != spend.fee()) {
      problem = "fee " + result.path("summary").path("fee") + " but the wallet built " + spend.fee();
    } else if (!result.path("outputs").path(spend.changeIndex()).path("change").asBoolean()
        || result.path("outputs").path(1 - spend.changeIndex()).path("change").asBoolean()) {
      problem = "change output not recognised as built: " + result.path("outputs");
    } else {
      problem = TransactionCheck.correctlySpends(result.path("transaction").asText(),
          List.of(Hex.encode(spend.funding().serialize())));
    }
    return new Outcome(jobId, spend.label(), status, txid, problem == null, problem, created, finished);
  }

  /** Runs of at least this many jobs also measure the store's own write rate, for a ratio. */
  static final int BASELINE_FROM_JOBS = 100;

  /** A submitted job and what it asked to sign: a message, or a Nostr event. */
  private record Submitted(String jobId, String kind, byte[] message, JsonNode event) {}

  /**
   * The demo's mix: every fifth job (from the second) is a Nostr event, every fifth (from the
   * fourth) an ECDSA message, the rest BIP-340 messages.
   */
  static String kindOf(int i) {
    return switch (i % 5) {
      case 1 -> "nostr_event";
      case 3 -> "ecdsa";
      default -> "bip340";
    };
  }

  /** One of the demo's mixed jobs, before it is sent: its body and what its check needs. */
  private record Prepared(ObjectNode body, String kind, byte[] message, JsonNode event) {}

  private Prepared prepare(int i, String keyId, String xOnly, String label) {
    byte[] message = ("keep demo " + label + " " + i + " " + Hex.encode(randomBytes(8))).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    String kind = kindOf(i);
    ObjectNode body = Json.MAPPER.createObjectNode().put("keyId", keyId);
    JsonNode event = null;
    if (kind.equals("nostr_event")) {
      ObjectNode e = Json.MAPPER.createObjectNode().put("pubkey", xOnly)
          .put("created_at", Instant.now().getEpochSecond()).put("kind", 1);
      e.putArray("tags").addArray().add("t").add("keep-demo");
      e.put("content", "keep demo " + label + " note " + i + " \u2014 signed in the enclave");
      body.put("kind", "nostr_event").set("event", e);
      event = e;
    } else {
      body.put("kind", "message").put("message", Hex.encode(message)).put("scheme", kind);
    }
    return new Prepared(body, kind, message, event);
  }

  private List<Submitted> submitAll(JobsClient client, String keyId, String xOnly, int count) throws Exception {
    Semaphore inFlight = new Semaphore(SUBMITTERS);
    List<Future<Submitted>> futures = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < count; i++) {
        Prepared job = prepare(i, keyId, xOnly, "message");
        inFlight.acquire();
        futures.add(pool.submit(() -> {
          try {
            JobsClient.Answer answer = client.submit(Json.write(job.body()));
            if (answer.status() != 202) {
              throw new IllegalStateException("submit answered " + answer.status() + ": " + answer.body());
            }
            return new Submitted(answer.body().get("jobId").asText(), job.kind(), job.message(), job.event());
          } finally {
            inFlight.release();
          }
        }));
      }
    }
    List<Submitted> submitted = new ArrayList<>();
    for (Future<Submitted> f : futures) {
      submitted.add(f.get());
    }
    return submitted;
  }

  /**
   * Polls in submission order and stops each round at the first job still in progress, so the
   * poller's own load on the API stays small however many jobs there are.
   */
  private List<Outcome> awaitAll(JobsClient client, List<Submitted> jobs, EnclaveResponse.KeyInfo key, Instant deadline)
      throws Exception {
    // Watch the last job first, and read the others once it has ended: a client's reads load the
    // same DynamoDB as the pipeline, and reading every job while the run is on would measure the
    // poller as much as the pipeline. Jobs end in about the order they were sent.
    if (!jobs.isEmpty()) {
      long pause = 50;
      while (Set.of("QUEUED", "RUNNING").contains(client.get(jobs.getLast().jobId()).body().path("status").asText())
          && Instant.now().isBefore(deadline)) {
        Thread.sleep(pause); // Poll interval while the last job is in progress.
        pause = Math.min(500, pause * 2);
      }
    }
    Outcome[] done = new Outcome[jobs.size()];
    int next = 0;
    while (next < jobs.size()) {
      int pendingSeen = 0;
      for (int i = next; i < jobs.size() && pendingSeen < 2; i++) {
        if (done[i] != null) {
          continue;
        }
        JobsClient.Answer answer = client.get(jobs.get(i).jobId());
        String status = answer.body().path("status").asText("?");
        if (status.equals("QUEUED") || status.equals("RUNNING")) {
          pendingSeen++;
          continue;
        }
        done[i] = check(jobs.get(i), answer.body(), key);
      }
      while (next < jobs.size() && done[next] != null) {
        next++;
      }
      if (next < jobs.size()) {
        if (Instant.now().isAfter(deadline)) {
          for (int i = next; i < jobs.size(); i++) {
            if (done[i] == null) {
              done[i] = new Outcome(jobs.get(i).jobId(), jobs.get(i).kind(), "TIMED_OUT", null, false,
                  "not finished before the deadline", null, null);
            }
          }
          break;
        }
        Thread.sleep(pendingSeen > 0 ? 100 : 0); // Poll interval while jobs are in progress.
      }
    }
    return Arrays.asList(done);
  }

  private static Outcome check(Submitted job, JsonNode view, EnclaveResponse.KeyInfo key) {
    String status = view.path("status").asText();
    Instant created = Instant.parse(view.path("createdAt").asText());
    Instant finished = Instant.parse(view.path("updatedAt").asText());
    if (!status.equals("SIGNED")) {
      return new Outcome(job.jobId(), job.kind(), status, null, false,
          view.path("error").path("code").asText() + ": " + view.path("error").path("message").asText(), created, finished);
    }
    JsonNode result = view.path("result");
    String problem;
    String signature;
    switch (job.kind()) {
      case "nostr_event" -> {
        JsonNode signed = result.path("event");
        signature = signed.path("sig").asText();
        problem = IndependentChecks.nostrEvent(job.event(), signed, key.xOnly());
      }
      case "ecdsa" -> {
        signature = result.path("signature").asText();
        problem = IndependentChecks.ecdsaMessage(job.message(), result, key.publicKey());
      }
      default -> {
        signature = result.path("signature").asText();
        problem = IndependentChecks.bip340Message(job.message(), result, key.xOnly());
      }
    }
    return new Outcome(job.jobId(), job.kind(), status, signature, problem == null, problem, created, finished);
  }

  private static Report report(List<Outcome> jobs, Duration wall, double baseline, List<Outcome> psbts,
      List<Outcome> policy, List<Outcome> fleet, Requests requests, Paced paced, List<Outcome> batch) {
    long[] latencies = jobs.stream().filter(j -> j.createdAt() != null)
        .mapToLong(j -> Duration.between(j.createdAt(), j.finishedAt()).toMillis()).sorted().toArray();
    Instant first = jobs.stream().map(Outcome::createdAt).filter(java.util.Objects::nonNull).min(Instant::compareTo).orElse(Instant.now());
    Instant last = jobs.stream().map(Outcome::finishedAt).filter(java.util.Objects::nonNull).max(Instant::compareTo).orElse(first);
    double span = Math.max(1, Duration.between(first, last).toMillis()) / 1000.0;
    return new Report(jobs, wall, jobs.size() / span, percentile(latencies, 50), percentile(latencies, 99), baseline,
        psbts, policy, fleet, requests, paced, batch, null, null);
  }

  /** Nearest-rank percentile. */
  static long percentile(long[] sorted, int p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** Prints each job (all of them up to 100, then only those that did not verify) and the summary. */
  public void print(Report report) {
    List<Outcome> jobs = report.jobs();
    boolean all = jobs.size() <= 100;
    for (Outcome j : jobs) {
      boolean ok = "SIGNED".equals(j.status()) && j.verified();
      if (all || !ok) {
        out.printf("job %s  %-11s %-8s %s%n", j.jobId(), j.kind(), j.status(),
            ok ? "verified  sig " + j.signature().substring(0, 16) + "…" : "FAILED CHECK: " + j.problem());
      }
    }
    if (!all) {
      out.printf("(%d jobs: listing only those that did not verify)%n", jobs.size());
    }
    long signed = jobs.stream().filter(j -> "SIGNED".equals(j.status())).count();
    long verified = jobs.stream().filter(Outcome::verified).count();
    out.printf("%d/%d SIGNED, %d/%d signatures verified independently of the enclave (BIP-340 messages and"
        + " Nostr events with a verifier written on BouncyCastle, event ids recomputed per NIP-01; ECDSA with"
        + " BouncyCastle over Bitcoin's signed-message hash)%n", signed, jobs.size(), verified, jobs.size());
    out.printf(Locale.ROOT, "throughput %.1f jobs/s (first job stored to last job finished)%n", report.jobsPerSecond());
    out.printf(Locale.ROOT, "latency submit→terminal: p50 %d ms, p99 %d ms (from each job's createdAt and updatedAt)%n",
        report.p50Millis(), report.p99Millis());
    out.printf(Locale.ROOT, "wall time for submit + wait + verify: %.2f s%n", report.wall().toMillis() / 1000.0);
    for (Outcome p : report.psbts()) {
      boolean ok = "SIGNED".equals(p.status()) && p.verified();
      out.printf("job %s  %-11s %-8s %s%n", p.jobId(), p.kind(), p.status(),
          ok ? "verified  txid " + p.signature() : "FAILED CHECK: " + p.problem());
    }
    if (!report.psbts().isEmpty()) {
      long psbtOk = report.psbts().stream().filter(Outcome::verified).count();
      out.printf("%d/%d PSBTs signed, finalised and verified independently (the extracted transactions run"
          + " through bitcoin-kmp's script interpreter; fee and change checked against what the wallet built)%n",
          psbtOk, report.psbts().size());
    }
    for (Outcome p : report.policy()) {
      out.printf("job %s  %-17s %-9s %s%n", p.jobId(), p.kind(), p.status(),
          p.verified() ? p.signature() : "FAILED CHECK: " + p.problem());
    }
    if (!report.policy().isEmpty()) {
      out.printf("%d/%d policy steps as the policy says (the dry run charged nothing; the refusal is a REJECTED job,"
          + " audited)%n", report.policy().stream().filter(Outcome::verified).count(), report.policy().size());
    }
    if (!report.batch().isEmpty()) {
      List<Outcome> jobsOfBatch = report.batch().stream().filter(o -> !o.kind().startsWith("batch")).toList();
      for (Outcome o : report.batch()) {
        if (!o.verified()) {
          out.printf("job %s  %-11s %-8s FAILED CHECK: %s%n", o.jobId(), o.kind(), o.status(), o.problem());
        }
      }
      out.printf("%d/%d batch jobs SIGNED and verified independently; the replay %s%n",
          jobsOfBatch.stream().filter(o -> "SIGNED".equals(o.status()) && o.verified()).count(), BATCH_ITEMS,
          report.batch().getLast().verified() ? "gave the first answer" : "DID NOT give the first answer");
    }
    for (Outcome f : report.fleet()) {
      out.printf("fleet: key %s over %s: %s%n", f.jobId(), f.kind().substring("fleet ".length()),
          f.verified() ? f.signature() + "; the limit held across the fleet" : "FAILED CHECK: " + f.problem());
    }
    if (report.baselineWritesPerSecond() > 0) {
      out.printf(Locale.ROOT, "baseline, same run: the local DynamoDB (moto) alone takes %.0f PutItem/s from %d writers;"
          + " the pipeline's %.1f jobs/s is %.1f%% of that%n",
          report.baselineWritesPerSecond(), SUBMITTERS, report.jobsPerSecond(),
          100 * report.jobsPerSecond() / report.baselineWritesPerSecond());
    }
    Requests r = report.requests();
    if (r != null && r.jobs() > 0) {
      out.printf(Locale.ROOT, "AWS requests per job (%d jobs, counted by an SDK interceptor on every client; the demo's"
          + " %d status polls left out):%n", r.jobs(), r.polls());
      for (String component : List.of("api", "worker")) {
        out.printf(Locale.ROOT, "  %-6s  DynamoDB %.2f (%s)  SQS %.2f (%s)%n", component,
            r.total(component, "DynamoDB"), operations(r, component, "DynamoDB"),
            r.total(component, "SQS"), operations(r, component, "SQS"));
      }
      out.printf(Locale.ROOT, "  total   DynamoDB %.2f  SQS %.2f%n",
          r.total("api", "DynamoDB") + r.total("worker", "DynamoDB"), r.total("api", "SQS") + r.total("worker", "SQS"));
    }
    if (report.webhooks() != null) {
      printWebhooks(report.webhooks());
    }
    if (report.audit() != null) {
      AuditStep.print(out, report.audit());
    }
    if (report.paced() != null) {
      Paced p = report.paced();
      out.printf(Locale.ROOT, "latency at half that rate (%d jobs submitted at %.1f/s): submit→terminal p50 %d ms, p99 %d ms%s%n",
          p.jobs(), p.rate(), p.p50Millis(), p.p99Millis(), p.allSigned() ? "" : " (NOT ALL SIGNED)");
    }
  }

  private void printWebhooks(Webhooks w) {
    List<WebhookReceiver.Seen> events = w.events().stream()
        .sorted(java.util.Comparator.comparing((WebhookReceiver.Seen e) -> e.eventTime() == null ? Instant.EPOCH : e.eventTime()))
        .toList();
    boolean all = events.size() <= 40;
    for (WebhookReceiver.Seen e : events) {
      if (all || e.attempts() > 1 || !e.allVerified() || e.firstAccepted() == null) {
        out.printf("webhook %s  %-15s %s  %d attempt%s  %s%n", e.messageId(), e.type(),
            e.jobId() != null ? "job " + e.jobId() : "batch " + e.batchId(), e.attempts(), e.attempts() == 1 ? " " : "s",
            e.allVerified() ? "verified" : "SIGNATURE DID NOT VERIFY");
      }
    }
    Map<Integer, Long> byAttempts = new java.util.TreeMap<>(events.stream()
        .collect(java.util.stream.Collectors.groupingBy(WebhookReceiver.Seen::attempts, java.util.stream.Collectors.counting())));
    long verified = events.stream().filter(e -> e.allVerified() && e.firstAccepted() != null).count();
    out.printf(Locale.ROOT, "webhooks: %d/%d events received and verified (one per ended job, and batch.completed);"
        + " attempts per event %s%s%n", verified, w.expected(), byAttempts, all ? "" : " (listing only the retried)");
    out.printf(Locale.ROOT, "webhook latency job end→receipt, every event: p50 %d ms, p99 %d ms (the retried event waits the"
        + " schedule's 5 s)%n", w.p50Millis(), w.p99Millis());
    if (w.pacedP50Millis() > 0) {
      out.printf(Locale.ROOT, "webhook latency job end→receipt at half the rate (the paced run's events): p50 %d ms, p99 %d ms%n",
          w.pacedP50Millis(), w.pacedP99Millis());
    }
    out.printf(Locale.ROOT, "AWS requests per event delivered (dispatcher and sender): %s%n", w.requestsPerDelivery()
        .entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
        .collect(java.util.stream.Collectors.joining(", ")));
  }

  private static String operations(Requests r, String component, String service) {
    String prefix = component + " " + service + " ";
    return r.perJob().entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
        .map(e -> String.format(Locale.ROOT, "%s %.2f at %.1f ms", e.getKey().substring(prefix.length()), e.getValue(),
            r.millisEach().getOrDefault(e.getKey(), 0.0)))
        .collect(java.util.stream.Collectors.joining(", "));
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static double secondsSince(Instant start) {
    return Duration.between(start, Instant.now()).toMillis() / 1000.0;
  }
}
