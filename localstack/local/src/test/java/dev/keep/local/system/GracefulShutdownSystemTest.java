package dev.keep.local.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.local.demo.JobsClient;
import dev.keep.local.stack.JavaProcess;
import dev.keep.local.stack.LocalStack;
import dev.keep.schema.tables.Tables;
import dev.keep.worker.WorkerMain;
import dev.keep.worker.enclave.EnclaveAddress;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A slow job keeps its message hidden and its lease alive; SIGTERM to the worker process then
 * claims nothing new, and the job it holds still finishes.
 */
class GracefulShutdownSystemTest {
  private static LocalStack stack;
  private static JobsClient client;

  @BeforeAll
  static void start() throws Exception {
    stack = LocalStack.start(TestStacks.onSharedMoto(GracefulShutdownSystemTest.class).withWorkers(0)
        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(3), 10));
    stack.createTenant("t-term", "api-key-for-graceful-stop-test");
    stack.createKey("term-key", "t-term");
    client = new JobsClient(stack.apiUrl(), "api-key-for-graceful-stop-test");
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  private static Map<String, AttributeValue> item(String table, String jobId) {
    return stack.dynamo().getItem(b -> b.tableName(table)
        .key(Map.of("jobId", AttributeValue.fromS(jobId))).consistentRead(true)).item();
  }

  private static String submit(String hex) throws Exception {
    return client.submit("{\"keyId\":\"term-key\",\"kind\":\"message\",\"message\":\"" + hex + "\"}")
        .body().get("jobId").asText();
  }

  @Test
  void sigtermLetsTheInFlightJobFinishAndClaimsNothingNew() throws Exception {
    try (StallingProxy proxy = new StallingProxy(((EnclaveAddress.LoopbackTcp) stack.enclaveAddress()).port())) {
      // The worker unseals the fleet's keys through the proxy before it is ready; hold after that.
      JavaProcess worker = stack.startWorkerProcess("term-a", new EnclaveAddress.LoopbackTcp(proxy.port()));
      proxy.holdResponses(true); // the enclave signs; the worker waits for the answer
      String inFlight = submit("01");
      Await.until("term-a to claim the job", Duration.ofSeconds(60), () -> item(stack.table(Tables.JOBS), inFlight),
          i -> i.containsKey("leaseOwner") && "term-a".equals(i.get("leaseOwner").s()));
      Await.until("the enclave's answer to be held", Duration.ofSeconds(30), proxy::responseBytesSeen, n -> n > 0);

      // A slow job: the heartbeat pushes the lease out and keeps the message hidden well past the
      // 2 s visibility timeout and 3 s lease, so no other worker could take it over.
      long firstExpiry = Long.parseLong(item(stack.table(Tables.JOBS), inFlight).get("leaseExpiresAt").n());
      Await.until("the lease to be extended twice over", Duration.ofSeconds(30),
          () -> Long.parseLong(item(stack.table(Tables.JOBS), inFlight).get("leaseExpiresAt").n()),
          expiry -> expiry > firstExpiry + 3_000);
      var counts = stack.sqs().getQueueAttributes(b -> b.queueUrl(stack.queues().queueUrl())
          .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
              QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
      assertEquals("0", counts.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
      assertEquals("1", counts.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));

      // SIGTERM, then release the held answer: the job in flight must still be finished by term-a.
      Thread terminator = Thread.ofPlatform().start(() -> {
        try {
          worker.terminate(Duration.ofSeconds(60));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      Await.until("the worker to begin stopping", Duration.ofSeconds(30),
          () -> worker.printed(WorkerMain.STOPPING_PREFIX), printed -> printed);
      String afterStop = submit("02");
      proxy.holdResponses(false);
      terminator.join(Duration.ofSeconds(60));
      assertTrue(!worker.isAlive(), "the worker exited after finishing its job");

      Map<String, AttributeValue> finished = item(stack.table(Tables.JOBS), inFlight);
      assertEquals("SIGNED", finished.get("status").s());
      assertEquals("term-a", item(stack.table(Tables.AUDIT), inFlight).get("workerId").s());
      assertEquals("1", finished.get("attempts").n(), "finished on its first attempt");

      Map<String, AttributeValue> waiting = item(stack.table(Tables.JOBS), afterStop);
      assertEquals("QUEUED", waiting.get("status").s(), "a stopping worker claims nothing new");

      var successor = stack.startWorker("term-b");
      Await.until("term-b to sign the waiting job", Duration.ofSeconds(60), () -> item(stack.table(Tables.JOBS), afterStop),
          i -> "SIGNED".equals(i.get("status").s()));
      successor.shutdown(Duration.ofSeconds(10));
    }
  }
}
