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
      double baselineWritesPerSecond, List<Outcome> psbts, List<Outcome> policy) {
    /**
     * Every job and PSBT signed and verified, and every policy step ended as the policy says it
     * must (a dry run EVALUATED, a job over the limit REJECTED with the rule, one at it SIGNED).
     */
    public boolean allSignedAndVerified() {
      return java.util.stream.Stream.concat(jobs.stream(), psbts.stream())
          .allMatch(j -> "SIGNED".equals(j.status()) && j.verified())
          && policy.stream().allMatch(Outcome::verified);
    }
  }

  private static final int SUBMITTERS = 16;
  private final PrintStream out;
  private final SecureRandom random = new SecureRandom();

  public Demo(PrintStream out) {
    this.out = out;
  }

  /** Runs the demo on a stack that is already up; {@code timeout} bounds the wait for results. */
  public Report run(LocalStack stack, int jobCount, Duration timeout) throws Exception {
    String apiKey = "keep_demo_" + Hex.encode(randomBytes(16));
    String tenant = "demo";
    stack.createTenant(tenant, apiKey);
    String keyId = "demo-key-" + Hex.encode(randomBytes(3));
    EnclaveResponse.KeyInfo key = stack.createKey(keyId, tenant);
    out.printf("key %s  public key %s  npub %s%n", keyId, key.publicKey(), key.npub());
    out.println("policy: " + LocalStack.DEVELOPMENT_POLICY_NOTICE);
    JobsClient client = new JobsClient(stack.apiUrl(), apiKey);

    Instant start = Instant.now();
    List<Submitted> submitted = submitAll(client, keyId, key.xOnly(), jobCount);
    out.printf("submitted %d jobs over HTTP in %.2f s%n", jobCount, secondsSince(start));

    List<Outcome> outcomes = awaitAll(client, submitted, key, Instant.now().plus(timeout));
    Duration wall = Duration.between(start, Instant.now());
    double baseline = jobCount >= BASELINE_FROM_JOBS ? new StoreBaseline(stack.dynamo(), stack.tablePrefix() + "keep-baseline").writesPerSecond(2000, SUBMITTERS) : 0;
    List<Outcome> psbts = psbts(stack, client, tenant, Instant.now().plus(timeout));
    List<Outcome> policy = policy(stack, client, tenant, Instant.now().plus(timeout));
    return report(outcomes, wall, baseline, psbts, policy);
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
    stack.createKey(guarded, tenant, new EnclaveRequest.KeySpec("hd", "testnet", false), Json.MAPPER.readTree(GUIDE_POLICY));
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

  private List<Submitted> submitAll(JobsClient client, String keyId, String xOnly, int count) throws Exception {
    Semaphore inFlight = new Semaphore(SUBMITTERS);
    List<Future<Submitted>> futures = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < count; i++) {
        byte[] message = ("keep demo message " + i + " " + Hex.encode(randomBytes(8))).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String kind = kindOf(i);
        ObjectNode body = Json.MAPPER.createObjectNode().put("keyId", keyId);
        JsonNode event = null;
        if (kind.equals("nostr_event")) {
          ObjectNode e = Json.MAPPER.createObjectNode().put("pubkey", xOnly)
              .put("created_at", Instant.now().getEpochSecond()).put("kind", 1);
          e.putArray("tags").addArray().add("t").add("keep-demo");
          e.put("content", "keep demo note " + i + " \u2014 signed in the enclave");
          body.put("kind", "nostr_event").set("event", e);
          event = e;
        } else {
          body.put("kind", "message").put("message", Hex.encode(message)).put("scheme", kind);
        }
        JsonNode submittedEvent = event;
        inFlight.acquire();
        futures.add(pool.submit(() -> {
          try {
            JobsClient.Answer answer = client.submit(Json.write(body));
            if (answer.status() != 202) {
              throw new IllegalStateException("submit answered " + answer.status() + ": " + answer.body());
            }
            return new Submitted(answer.body().get("jobId").asText(), kind, message, submittedEvent);
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
      List<Outcome> policy) {
    long[] latencies = jobs.stream().filter(j -> j.createdAt() != null)
        .mapToLong(j -> Duration.between(j.createdAt(), j.finishedAt()).toMillis()).sorted().toArray();
    Instant first = jobs.stream().map(Outcome::createdAt).filter(java.util.Objects::nonNull).min(Instant::compareTo).orElse(Instant.now());
    Instant last = jobs.stream().map(Outcome::finishedAt).filter(java.util.Objects::nonNull).max(Instant::compareTo).orElse(first);
    double span = Math.max(1, Duration.between(first, last).toMillis()) / 1000.0;
    return new Report(jobs, wall, jobs.size() / span, percentile(latencies, 50), percentile(latencies, 99), baseline,
        psbts, policy);
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
    if (report.baselineWritesPerSecond() > 0) {
      out.printf(Locale.ROOT, "baseline, same run: the local DynamoDB (moto) alone takes %.0f PutItem/s from %d writers;"
          + " the pipeline's %.1f jobs/s is %.1f%% of that (each job makes 5 DynamoDB requests and 2 SQS requests)%n",
          report.baselineWritesPerSecond(), SUBMITTERS, report.jobsPerSecond(),
          100 * report.jobsPerSecond() / report.baselineWritesPerSecond());
    }
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
