package dev.keep.worker;

import dev.keep.schema.attestation.TrustedRoot;
import dev.keep.worker.sealing.DynamoDbSealedKeys;
import dev.keep.worker.sealing.KeySealer;
import software.amazon.awssdk.services.kms.KmsClient;

import dev.keep.worker.audit.AuditTables;
import dev.keep.worker.audit.CheckpointArchive;
import dev.keep.worker.audit.DirectoryCheckpointArchive;
import dev.keep.worker.audit.S3CheckpointArchive;
import dev.keep.worker.enclave.EnclaveAddress;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;
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
 *   <li>{@code KEEP_JOBS_TABLE}, {@code KEEP_AUDIT_TABLE}, {@code KEEP_KEYS_TABLE} (default {@code jobs},
 *       {@code audit}, {@code keys})
 *   <li>{@code KEEP_RECEIPTS_TABLE}, {@code KEEP_CHECKPOINTS_TABLE}, {@code KEEP_ATTESTATIONS_TABLE}
 *       (default {@code receipts}, {@code checkpoints}, {@code attestations}): the audit chain
 *   <li>{@code KEEP_CHECKPOINT_BUCKET} (and {@code KEEP_CHECKPOINT_PREFIX}, {@code
 *       KEEP_CHECKPOINT_RETENTION_DAYS}, default 2557, seven years): an S3 bucket with Object Lock
 *       for checkpoints; {@code KEEP_CHECKPOINT_DIR}: a directory for them instead (local mode);
 *       {@code KEEP_CHECKPOINT_POLL_SECONDS} (default 10): how often checkpoints are asked for
 *   <li>{@code KEEP_KMS_KEY_ID} (required): the KMS key that seals the fleet's keys
 *   <li>{@code KEEP_ATTESTATION_ROOT}: a PEM file, the local software NSM's root in local mode;
 *       unset means the AWS Nitro root (used to report the PCRs the enclave presented when KMS
 *       refuses)
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
    // Standard retries (3 attempts): the worker retries a job itself, through the queue, rather
    // than waiting out DynamoDB's legacy 9 attempts with a lease running.
    DynamoDbClient dynamo = DynamoDbClient.builder().httpClientBuilder(Apache5HttpClient.builder().maxConnections(pool))
        .overrideConfiguration(c -> c.retryStrategy(software.amazon.awssdk.core.retry.RetryMode.STANDARD)).build();
    String kmsKeyId = env.get("KEEP_KMS_KEY_ID");
    if (kmsKeyId == null || kmsKeyId.isBlank()) {
      System.err.println("keep-worker: KEEP_KMS_KEY_ID is not set; name the KMS key that seals the fleet's keys");
      System.exit(2);
    }
    String rootFile = env.get("KEEP_ATTESTATION_ROOT");
    TrustedRoot root = rootFile == null || rootFile.isBlank()
        ? TrustedRoot.awsNitro() : TrustedRoot.local(java.nio.file.Files.readAllBytes(java.nio.file.Path.of(rootFile)));
    EnclaveClient enclave = new EnclaveClient(address, 4, Duration.ofSeconds(30));
    KmsClient kms = KmsClient.builder().httpClientBuilder(Apache5HttpClient.builder().maxConnections(pool)).build();
    KeySealer sealer = new KeySealer(enclave, kms, kmsKeyId,
        new DynamoDbSealedKeys(dynamo, env.getOrDefault("KEEP_KEYS_TABLE", "keys")), root, Clock.systemUTC());
    Worker worker;
    try {
      worker = new Worker(sqs, dynamo, enclave, config,
          env.getOrDefault("KEEP_JOBS_TABLE", "jobs"), env.getOrDefault("KEEP_AUDIT_TABLE", "audit"),
          env.getOrDefault("KEEP_KEYS_TABLE", "keys"), sealer, audit(env, pool), Clock.systemUTC()).start();
    } catch (IllegalStateException e) {
      System.err.println("keep-worker: " + e.getMessage());
      System.exit(1);
      return;
    }
    System.out.println("KEEP-WORKER unsealed " + worker.unsealReport().unsealed() + " keys in "
        + worker.unsealReport().took().toMillis() + " ms (" + worker.unsealReport().kmsCalls() + " KMS calls)");
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

  /** The audit chain's tables and checkpoint archives, from the environment. */
  private static Worker.Audit audit(Map<String, String> env, int pool) {
    AuditTables tables = new AuditTables(env.getOrDefault("KEEP_RECEIPTS_TABLE", "receipts"),
        env.getOrDefault("KEEP_CHECKPOINTS_TABLE", "checkpoints"),
        env.getOrDefault("KEEP_ATTESTATIONS_TABLE", "attestations"));
    List<CheckpointArchive> archives = new ArrayList<>();
    String bucket = env.get("KEEP_CHECKPOINT_BUCKET");
    if (bucket != null && !bucket.isBlank()) {
      S3Client s3 = S3Client.builder().httpClientBuilder(Apache5HttpClient.builder().maxConnections(4)).build();
      archives.add(new S3CheckpointArchive(s3, bucket, env.getOrDefault("KEEP_CHECKPOINT_PREFIX", ""),
          Duration.ofDays(intEnv(env, "KEEP_CHECKPOINT_RETENTION_DAYS", 2557)), Clock.systemUTC()));
    }
    String dir = env.get("KEEP_CHECKPOINT_DIR");
    if (dir != null && !dir.isBlank()) {
      archives.add(new DirectoryCheckpointArchive(java.nio.file.Path.of(dir)));
    }
    if (archives.isEmpty()) {
      System.err.println("keep-worker: no checkpoint archive (KEEP_CHECKPOINT_BUCKET or KEEP_CHECKPOINT_DIR): "
          + "checkpoints go to DynamoDB only, where a host could erase them");
    }
    Worker.Audit defaults = Worker.Audit.defaults(tables, archives);
    return new Worker.Audit(tables, archives,
        Duration.ofSeconds(intEnv(env, "KEEP_CHECKPOINT_POLL_SECONDS", (int) defaults.checkpointPoll().toSeconds())),
        defaults.repairAfter());
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
