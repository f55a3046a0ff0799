package dev.keep.worker;

import dev.keep.worker.enclave.EnclaveAddress;
import dev.keep.worker.enclave.EnclaveClient;
import dev.keep.worker.queue.WorkerConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The host worker process. Configured by environment, like the rest of the fleet:
 *
 * <ul>
 *   <li>{@code KEEP_QUEUE_URL} (required), {@code KEEP_DLQ_URL}
 *   <li>{@code KEEP_ENCLAVE}: {@code vsock:16:5000} (default) or {@code tcp:PORT}
 *   <li>{@code KEEP_JOBS_TABLE}, {@code KEEP_AUDIT_TABLE} (default {@code jobs}, {@code audit})
 *   <li>{@code KEEP_WORKER_ID}, {@code KEEP_CONCURRENCY}, {@code KEEP_VISIBILITY_SECONDS},
 *       {@code KEEP_LEASE_SECONDS}, {@code KEEP_WAIT_SECONDS}, {@code KEEP_MAX_ATTEMPTS}
 *   <li>AWS clients take the standard SDK settings: {@code AWS_REGION}, {@code AWS_ENDPOINT_URL}
 *       (or {@code AWS_ENDPOINT_URL_SQS} / {@code _DYNAMODB}), credentials.
 * </ul>
 *
 * SIGTERM stops it gracefully: no new claims, and jobs in flight finish.
 */
public final class WorkerMain {
  public static final String READY_PREFIX = "KEEP-WORKER polling ";
  public static final String STOPPING_PREFIX = "KEEP-WORKER stopping";

  private WorkerMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    String queueUrl = env.get("KEEP_QUEUE_URL");
    if (queueUrl == null || queueUrl.isBlank()) {
      System.err.println("keep-worker: KEEP_QUEUE_URL is not set; point it at the signing queue");
      System.exit(2);
    }
    String workerId = env.getOrDefault("KEEP_WORKER_ID", "worker-" + ProcessHandle.current().pid());
    WorkerConfig defaults = WorkerConfig.defaults(queueUrl, env.get("KEEP_DLQ_URL"), workerId);
    WorkerConfig config = new WorkerConfig(
        queueUrl,
        env.get("KEEP_DLQ_URL"),
        workerId,
        intEnv(env, "KEEP_CONCURRENCY", defaults.concurrency()),
        Duration.ofSeconds(intEnv(env, "KEEP_VISIBILITY_SECONDS", (int) defaults.visibilityTimeout().toSeconds())),
        Duration.ofSeconds(intEnv(env, "KEEP_LEASE_SECONDS", (int) defaults.lease().toSeconds())),
        intEnv(env, "KEEP_MAX_ATTEMPTS", defaults.maxAttempts()),
        intEnv(env, "KEEP_WAIT_SECONDS", defaults.waitTimeSeconds()));
    EnclaveAddress address = EnclaveAddress.parse(env.getOrDefault("KEEP_ENCLAVE", "vsock:16:5000"));
    // Pooled connections: up to `concurrency` jobs talk to SQS and DynamoDB at once.
    int pool = Math.max(16, 2 * config.concurrency());
    SqsClient sqs = SqsClient.builder().httpClientBuilder(Apache5HttpClient.builder().maxConnections(pool)).build();
    DynamoDbClient dynamo = DynamoDbClient.builder().httpClientBuilder(Apache5HttpClient.builder().maxConnections(pool)).build();
    EnclaveClient enclave = new EnclaveClient(address, 4, Duration.ofSeconds(30));
    Worker worker = new Worker(sqs, dynamo, enclave, config,
        env.getOrDefault("KEEP_JOBS_TABLE", "jobs"), env.getOrDefault("KEEP_AUDIT_TABLE", "audit"),
        Clock.systemUTC()).start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      worker.stopClaiming();
      System.out.println(STOPPING_PREFIX + ": no new claims; finishing jobs in flight");
      System.out.flush();
      worker.shutdown(config.visibilityTimeout());
      stopped.countDown();
    }));
    // Ready only once the hook is in place, so a SIGTERM right after "ready" still stops gracefully.
    System.out.println(READY_PREFIX + queueUrl + " as " + workerId + " via " + address);
    System.out.flush();
    stopped.await();
  }

  private static int intEnv(Map<String, String> env, String name, int fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, got '" + value + "'");
    }
  }
}
