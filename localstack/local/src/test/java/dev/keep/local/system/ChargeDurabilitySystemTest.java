package dev.keep.local.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.local.demo.JobsClient;
import dev.keep.local.stack.LocalStack;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.worker.Worker;
import java.net.URI;
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

/**
 * No signature is released without its charge stored, and no charge is lost (issue #15): the
 * enclave is killed at random moments during 500 jobs on one key and restarted, and a state write
 * is made to fail; at the end the count the enclave reports, shown the stored state, equals the
 * jobs that ended SIGNED.
 */
class ChargeDurabilitySystemTest {
  private static LocalStack stack;
  private static JobsClient client;

  @BeforeAll
  static void start() throws Exception {
    stack = LocalStack.start(TestStacks.onSharedMoto(ChargeDurabilitySystemTest.class).withWorkers(0).withTimeouts(
        Duration.ofSeconds(5), Duration.ofSeconds(5), 20));
    stack.createTenant("t-charges", "api-key-for-the-charges-test");
    client = new JobsClient(stack.apiUrl(), "api-key-for-the-charges-test");
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  private static void countedKey(String keyId) throws Exception {
    stack.createKey(keyId, "t-charges", new EnclaveRequest.KeySpec("single", "testnet", false), """
        {"version": 1, "rule": {"id": "counted", "all": [
          {"id": "messages", "type": "allowed_kinds", "kinds": ["message"]},
          {"id": "many", "type": "max_count", "window": "24h", "count": 100000}]}}
        """);
  }

  private static String submit(String keyId, int i) throws Exception {
    String message = Hex.encode((keyId + " " + i).getBytes(StandardCharsets.UTF_8));
    JobsClient.Answer answer = client.submit("{\"keyId\":\"" + keyId + "\",\"kind\":\"message\",\"message\":\"" + message + "\"}");
    assertEquals(202, answer.status(), answer.body().toString());
    return answer.body().get("jobId").asText();
  }

  private static JsonNode ended(String id) {
    return Await.until("job " + id + " to end", Duration.ofSeconds(180), () -> {
      try {
        return client.get(id).body();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, v -> v.path("status").asText().matches("SIGNED|REJECTED|FAILED"));
  }

  private static long reportedCount(String keyId) throws Exception {
    var info = (EnclaveResponse.PolicyInfo) stack.operatorSealer().call(new EnclaveRequest.GetPolicy(keyId));
    return info.signaturesLastDay();
  }

  @Test
  void restartsInTheMiddleOfALoadRun_loseNoCharge() throws Exception {
    countedKey("restart-key");
    Worker worker = stack.startWorker("restart-worker");
    Random random = new Random(1500);
    List<String> ids = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<String>> futures = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        int n = i;
        futures.add(pool.submit(() -> submit("restart-key", n)));
        if (i == 100 || i == 250 || i == 400) {
          // A random moment while jobs are in flight: once the worker has finished a random number
          // more of them, never more than have been submitted.
          long target = Math.min(i, worker.finishedJobs() + 1 + random.nextInt(20));
          Await.until("the worker to finish " + target + " jobs", Duration.ofSeconds(120), worker::finishedJobs,
              finished -> finished >= target);
          stack.enclaveProcess().kill();
          stack.startEnclave();
        }
      }
      for (Future<String> f : futures) {
        ids.add(f.get());
      }
    }
    Map<String, Integer> statuses = new TreeMap<>();
    for (String id : ids) {
      statuses.merge(ended(id).path("status").asText(), 1, Integer::sum);
    }
    long signed = statuses.getOrDefault("SIGNED", 0);
    System.out.println("ChargeDurabilitySystemTest: 500 jobs, three enclave restarts: " + statuses
        + "; group writes " + worker.lanes().groups());
    assertTrue(signed >= 490, "nearly every job signs once the enclave is back: " + statuses);
    assertEquals(signed, reportedCount("restart-key"), "every charge stored, none extra: " + statuses);
    worker.shutdown(Duration.ofSeconds(10));
  }

  /**
   * DynamoDB throttles every transaction for a while (a fault-injecting proxy between the worker's
   * SDK and the emulator). The job is signed in the enclave each attempt, but no result is stored
   * and it does not end SIGNED until its charge can be stored with it; then it does, charged once.
   */
  @Test
  void noResultIsStoredUntilItsChargeIs() throws Exception {
    countedKey("throttled-key");
    URI emulator = stack.dynamoEndpoint();
    try (FaultyDynamoProxy proxy = new FaultyDynamoProxy(emulator)) {
      proxy.throttle("TransactWriteItems");
      Worker worker = stack.startWorker("throttled-worker", 0, proxy.endpoint());
      try {
        String id = submit("throttled-key", 1);
        // Two attempts' worth of refusals (the SDK tries three times an attempt): the first attempt
        // failed and the job was retried.
        Await.until("the job's commit to be throttled", Duration.ofSeconds(60), proxy::refused, n -> n >= 6);
        JsonNode during = client.get(id).body();
        assertTrue(during.path("status").asText().matches("QUEUED|RUNNING"), during.toString());
        assertTrue(during.path("result").isMissingNode(), "no result while the charge cannot be stored");
        assertEquals(0, reportedCount("throttled-key"), "nothing charged while nothing is stored");
        proxy.heal();
        JsonNode after = ended(id);
        assertEquals("SIGNED", after.path("status").asText(), after.toString());
        assertTrue(after.path("attempts").asInt() >= 2, "retried after the throttled attempt: " + after);
        assertEquals(1, reportedCount("throttled-key"), "charged once, with the result");
      } finally {
        worker.shutdown(Duration.ofSeconds(10));
      }
    }
  }
}
