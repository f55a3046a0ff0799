package dev.keep.local.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.local.demo.JobsClient;
import dev.keep.local.stack.JavaProcess;
import dev.keep.local.stack.LocalStack;
import dev.keep.local.verify.Bip340Verifier;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.tables.Tables;
import dev.keep.worker.enclave.EnclaveAddress;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A worker process is killed (SIGKILL) in the middle of a job, and another worker finishes it: the
 * job ends SIGNED exactly once, with one audit record. Short visibility and lease timeouts keep
 * the takeover quick; no worker runs in the test process until the crash has happened.
 */
class WorkerCrashSystemTest {
  private static LocalStack stack;
  private static JobsClient client;
  private static String publicKey;

  @BeforeAll
  static void start() throws Exception {
    stack = LocalStack.start(TestStacks.onSharedMoto(WorkerCrashSystemTest.class).withWorkers(0)
        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(3), 10));
    stack.createTenant("t-crash", "api-key-for-worker-crash-test");
    publicKey = stack.createKey("crash-key", "t-crash").xOnly();
    client = new JobsClient(stack.apiUrl(), "api-key-for-worker-crash-test");
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  private static Map<String, AttributeValue> item(String table, String jobId) {
    return stack.dynamo().getItem(b -> b.tableName(table)
        .key(Map.of("jobId", AttributeValue.fromS(jobId))).consistentRead(true)).item();
  }

  /** Kills the worker while its request is held before the enclave: the enclave never saw it. */
  @Test
  void workerKilledBeforeTheEnclaveAnswered() throws Exception {
    runCrash("crash-a", true, "6b696c6c2d6265666f7265");
  }

  /**
   * Kills the worker after the enclave signed but before the worker heard back: nothing was stored,
   * so the new worker's request is decided again on the stored state, which holds no charge for it.
   * One result is stored, and the key is charged once.
   */
  @Test
  void workerKilledAfterTheEnclaveSigned() throws Exception {
    runCrash("crash-b", false, "6b696c6c2d6166746572");
  }

  private void runCrash(String crashingWorker, boolean holdRequests, String messageHex) throws Exception {
    try (StallingProxy proxy = new StallingProxy(((EnclaveAddress.LoopbackTcp) stack.enclaveAddress()).port())) {
      // The worker unseals the fleet's keys through the proxy before it is ready; hold after that.
      JavaProcess doomed = stack.startWorkerProcess(crashingWorker, new EnclaveAddress.LoopbackTcp(proxy.port()));
      if (holdRequests) {
        proxy.holdRequests(true);
      } else {
        proxy.holdResponses(true);
      }
      String jobId;
      try {
        JobsClient.Answer submitted = client.submit(
            "{\"keyId\":\"crash-key\",\"kind\":\"message\",\"message\":\"" + messageHex + "\"}");
        jobId = submitted.body().get("jobId").asText();
        String id = jobId;
        Await.until(crashingWorker + " to claim " + jobId, Duration.ofSeconds(60), () -> item(stack.table(Tables.JOBS), id),
            i -> i.containsKey("leaseOwner") && crashingWorker.equals(i.get("leaseOwner").s()));
        if (holdRequests) {
          Await.until("the request to reach the proxy", Duration.ofSeconds(30), proxy::requestBytesSeen, n -> n > 0);
        } else {
          Await.until("the enclave's answer to reach the proxy", Duration.ofSeconds(30), proxy::responseBytesSeen, n -> n > 0);
        }
      } finally {
        doomed.kill();
      }
      assertTrue(!doomed.isAlive());
      assertEquals("RUNNING", item(stack.table(Tables.JOBS), jobId).get("status").s(), "the crash left the job mid-flight");
      assertTrue(item(stack.table(Tables.AUDIT), jobId).isEmpty(), "no audit record yet");

      var survivor = stack.startWorker(crashingWorker + "-successor");
      try {
        String id = jobId;
        JsonNode view = Await.until("job " + jobId + " to be signed by the successor", Duration.ofSeconds(60),
            () -> {
              try {
                return client.get(id).body();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            v -> v.path("status").asText().matches("SIGNED|REJECTED|FAILED"));
        assertEquals("SIGNED", view.get("status").asText());
        assertEquals(2, view.get("attempts").asInt(), "claimed once by the dead worker, once by its successor");
        JsonNode result = view.get("result");
        assertEquals(publicKey, result.get("publicKey").asText());
        assertTrue(Bip340Verifier.verify(Hex.decode("pk", publicKey), Hex.decode("m", messageHex),
            Hex.decode("sig", result.get("signature").asText())));
        Map<String, AttributeValue> audit = item(stack.table(Tables.AUDIT), jobId);
        assertEquals("SIGNED", audit.get("decision").s());
        assertEquals(crashingWorker + "-successor", audit.get("workerId").s());
        assertEquals(1, survivor.finishedJobs());
      } finally {
        survivor.shutdown(Duration.ofSeconds(10));
      }
    }
  }
}
