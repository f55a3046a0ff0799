package dev.keep.local.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.local.demo.JobsClient;
import dev.keep.local.stack.LocalStack;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.tables.Tables;
import dev.keep.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A key's limit across a fleet (issue #15): three hosts, each its own enclave process and worker,
 * one key that may sign 50 times an hour. 150 jobs at once end 50 SIGNED and 100 REJECTED naming
 * the rule, also when enclaves are killed and restarted in the middle.
 */
class FleetSystemTest {
  private static final int LIMIT = 50;
  private static LocalStack stack;
  private static JobsClient client;

  @BeforeAll
  static void start() throws Exception {
    stack = LocalStack.start(TestStacks.onSharedMoto(FleetSystemTest.class).withHosts(3).withTimeouts(
        Duration.ofSeconds(5), Duration.ofSeconds(5), 20));
    stack.createTenant("t-fleet", "api-key-for-the-fleet-test");
    client = new JobsClient(stack.apiUrl(), "api-key-for-the-fleet-test");
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  private static void limitedKey(String keyId) throws Exception {
    limitedKey(keyId, "t-fleet");
  }

  private static void limitedKey(String keyId, String tenant) throws Exception {
    stack.createKey(keyId, tenant, new EnclaveRequest.KeySpec("single", "testnet", false), """
        {"version": 1, "rule": {"id": "fleet", "all": [
          {"id": "messages", "type": "allowed_kinds", "kinds": ["message"]},
          {"id": "fifty-an-hour", "type": "max_count", "window": "1h", "count": %d}]}}
        """.formatted(LIMIT));
  }

  private static List<String> submit(String keyId, int count) throws Exception {
    return submit(client, keyId, count);
  }

  private static List<String> submit(JobsClient client, String keyId, int count) throws Exception {
    List<String> ids = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<String>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String message = Hex.encode((keyId + " job " + i).getBytes(StandardCharsets.UTF_8));
        futures.add(pool.submit(() -> client.submit("{\"keyId\":\"" + keyId + "\",\"kind\":\"message\",\"message\":\""
            + message + "\"}").body().get("jobId").asText()));
      }
      for (Future<String> f : futures) {
        ids.add(f.get());
      }
    }
    return ids;
  }

  private static Map<String, Integer> ended(List<String> ids, List<String> reasons, Map<String, Integer> byWorker) {
    return ended(client, ids, reasons, byWorker);
  }

  private static Map<String, Integer> ended(JobsClient client, List<String> ids, List<String> reasons,
      Map<String, Integer> byWorker) {
    Map<String, Integer> statuses = new TreeMap<>();
    for (String id : ids) {
      JsonNode view = Await.until("job " + id + " to end", Duration.ofSeconds(180), () -> {
        try {
          return client.get(id).body();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, v -> v.path("status").asText().matches("SIGNED|REJECTED|FAILED"));
      statuses.merge(view.path("status").asText(), 1, Integer::sum);
      if (view.path("status").asText().equals("REJECTED")) {
        reasons.add(view.path("error").path("message").asText());
      }
      Map<String, AttributeValue> audit = stack.dynamo().getItem(b -> b.tableName(stack.table(Tables.AUDIT))
          .key(Map.of("jobId", AttributeValue.fromS(id))).consistentRead(true)).item();
      byWorker.merge(audit.get("workerId").s(), 1, Integer::sum);
    }
    return statuses;
  }

  /** The count the enclave reports, shown the stored state. */
  private static long reportedCount(String keyId) throws Exception {
    var info = (EnclaveResponse.PolicyInfo) stack.operatorSealer().call(new EnclaveRequest.GetPolicy(keyId));
    return info.signaturesLastHour();
  }

  @Test
  void oneLimitAcrossThreeHosts() throws Exception {
    // A tenant of its own, so that its audit chains hold this test's decisions only.
    stack.createTenant("t-fleet-audit", "api-key-for-the-fleet-audit-test");
    limitedKey("fleet-key", "t-fleet-audit");
    JobsClient tenant = new JobsClient(stack.apiUrl(), "api-key-for-the-fleet-audit-test");
    List<String> ids = submit(tenant, "fleet-key", 3 * LIMIT);
    List<String> reasons = new ArrayList<>();
    Map<String, Integer> byWorker = new TreeMap<>();
    Map<String, Integer> statuses = ended(tenant, ids, reasons, byWorker);
    assertEquals(Map.of("SIGNED", LIMIT, "REJECTED", 2 * LIMIT), statuses, "per worker: " + byWorker);
    assertTrue(reasons.stream().allMatch(r -> r.equals("policy rule 'fifty-an-hour': max_count 1h: 50 + 1 > 50")),
        reasons.toString());
    assertEquals(3, byWorker.size(), "every host took part: " + byWorker);
    assertEquals(LIMIT, reportedCount("fleet-key"));
    long conflicts = stack.workers().stream().mapToLong(w -> w.lanes().conflicts()).sum();
    System.out.println("FleetSystemTest: per worker " + byWorker + ", group writes refused for a moved state: " + conflicts);

    // Issue 19: three boots, each with its own chain for the tenant, gap-free although groups were
    // decided again when another host stored first (each answer the enclave released is in its
    // chain), and every job with a receipt.
    String auditorKey = "api-key-for-the-fleet-auditor-0001";
    stack.createAuditorKey("t-fleet-audit", auditorKey);
    java.nio.file.Path export = stack.runDirectory().resolve("fleet-audit.jsonl");
    Await.until("every chain's tail to be checkpointed", Duration.ofSeconds(60), () -> {
      try {
        new dev.keep.local.cli.AuditExportCli(System.out).export(stack.apiUrl(), auditorKey, null, null, export);
        return tailsCheckpointed(export);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, done -> done);
    var summary = new dev.keep.local.audit.AuditVerifier(dev.keep.schema.attestation.AttestationVerifier.builder()
        .trustedRoot(dev.keep.schema.attestation.TrustedRoot.local(java.nio.file.Files.readAllBytes(
            stack.attestationRootPem())))
        .pcrs(dev.keep.schema.attestation.PcrPolicy.insecureNoCheck()).build()).verify(export);
    System.out.println("FleetSystemTest: audit " + summary);
    assertEquals(3, summary.chains(), summary.toString());
    assertEquals(3 * LIMIT, summary.jobs(), "every job has a receipt: " + summary);
    assertTrue(summary.decisions().get("SIGNED") >= LIMIT && summary.decisions().get("REJECTED") >= 2 * LIMIT,
        summary.toString());
  }

  /** Whether every chain's last receipt in {@code export} is under a checkpoint. */
  private static boolean tailsCheckpointed(java.nio.file.Path export) throws java.io.IOException {
    Map<String, Long> last = new java.util.HashMap<>();
    Map<String, Long> checkpointed = new java.util.HashMap<>();
    for (String line : java.nio.file.Files.readAllLines(export)) {
      var parsed = dev.keep.schema.encoding.Json.MAPPER.readValue(line, dev.keep.schema.audit.ExportLine.class);
      if (parsed instanceof dev.keep.schema.audit.ExportLine.ReceiptLine r) {
        last.merge(r.receipt().bootId(), r.receipt().seq(), Math::max);
      } else if (parsed instanceof dev.keep.schema.audit.ExportLine.CheckpointLine c) {
        checkpointed.merge(c.checkpoint().bootId(), c.checkpoint().seq(), Math::max);
      }
    }
    return !last.isEmpty() && last.entrySet().stream().allMatch(e -> checkpointed.getOrDefault(e.getKey(), 0L) >= e.getValue());
  }

  @Test
  void theLimitHolds_whenEnclavesAreKilledInTheMiddle() throws Exception {
    limitedKey("fleet-kill-key");
    Random random = new Random(15);
    List<String> ids = new ArrayList<>();
    // The workers are the class's: count from what they had finished before this run.
    long before = stack.workers().stream().mapToLong(Worker::finishedJobs).sum();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<List<String>> submitting = pool.submit(() -> submit("fleet-kill-key", 3 * LIMIT));
      for (int kill = 0; kill < 2; kill++) {
        int host = 1 + random.nextInt(2);
        // A random moment in the run: once the fleet has finished a random number of the jobs
        // (some of the first half, then some of the second), so jobs are in flight at each kill.
        long target = before + kill * 3L * LIMIT / 2 + 1 + random.nextInt(3 * LIMIT / 2 - 1);
        Await.until("the fleet to finish " + (target - before) + " of its jobs", Duration.ofSeconds(120),
            () -> stack.workers().stream().mapToLong(Worker::finishedJobs).sum(), n -> n >= target);
        stack.enclaveProcess(host).kill();
        stack.startEnclave(host, List.of());
      }
      ids.addAll(submitting.get());
    }
    List<String> reasons = new ArrayList<>();
    Map<String, Integer> byWorker = new TreeMap<>();
    Map<String, Integer> statuses = ended(ids, reasons, byWorker);
    assertEquals(LIMIT, statuses.getOrDefault("SIGNED", 0), statuses + " per worker " + byWorker);
    assertEquals(2 * LIMIT, statuses.getOrDefault("REJECTED", 0), statuses.toString());
    assertEquals(LIMIT, reportedCount("fleet-kill-key"));
    // Every worker kept working. On a loaded machine the queue can hand all 150 jobs to the other
    // hosts while a killed host's enclave restarts; then a few more jobs (refused by the spent
    // limit) are sent until each worker has finished one.
    for (Worker w : stack.workers()) {
      Await.until("a worker to finish a job", Duration.ofSeconds(60), () -> {
        if (w.finishedJobs() == 0) {
          try {
            submit("fleet-kill-key", 3);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
        return w.finishedJobs();
      }, n -> n > 0);
    }
  }
}
