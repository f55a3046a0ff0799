package dev.keep.worker;

import dev.keep.worker.audit.AuditLog;
import dev.keep.worker.audit.AuditTables;
import dev.keep.worker.audit.CheckpointArchive;
import dev.keep.worker.sealing.KeySealer;
import java.util.List;

import dev.keep.worker.enclave.EnclaveClient;
import dev.keep.worker.jobs.JobExecutor;
import dev.keep.worker.jobs.KeyLanes;
import dev.keep.worker.jobs.JobStore;
import dev.keep.worker.queue.DeadLetterDrainer;
import dev.keep.worker.queue.SqsWorker;
import dev.keep.worker.queue.WorkerConfig;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * One host worker: the queue consumer, its enclave client, the dead-letter drainer, and the keeper
 * of its enclave's audit chain ({@link AuditLog}), which asks for checkpoints every {@code
 * checkpointPoll} and once more, for every chain, when the worker stops.
 */
public final class Worker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

  /**
   * Where the audit chain goes, and how often checkpoints are asked for.
   *
   * @param repairAfter how long after a checkpoint its chain is counted for gaps (longer than a job
   *     takes to be written)
   */
  public record Audit(AuditTables tables, List<CheckpointArchive> archives, Duration checkpointPoll,
      Duration repairAfter) {
    public Audit {
      archives = List.copyOf(archives);
    }

    public static Audit defaults(AuditTables tables, List<CheckpointArchive> archives) {
      return new Audit(tables, archives, Duration.ofSeconds(10), Duration.ofSeconds(60));
    }
  }

  private final SqsWorker consumer;
  private final KeyLanes lanes;
  private final EnclaveClient enclave;
  private final KeySealer sealer;
  private volatile KeySealer.UnsealReport unsealed;
  private final Thread drainer;
  private final AuditLog audit;
  private final Thread checkpointer;
  private volatile boolean running = true;

  public Worker(
      SqsClient sqs,
      DynamoDbClient dynamo,
      EnclaveClient enclave,
      WorkerConfig config,
      String jobsTable,
      String auditTable,
      String keysTable,
      KeySealer sealer,
      Audit auditConfig,
      Clock clock) {
    this.enclave = enclave;
    this.sealer = sealer;
    JobStore store = new JobStore(dynamo, jobsTable, auditTable, keysTable, auditConfig.tables().receipts());
    this.audit = new AuditLog(dynamo, enclave, auditConfig.tables(), auditConfig.archives(), auditConfig.repairAfter(),
        clock);
    this.lanes = new KeyLanes(new JobExecutor(enclave), store, sealer, audit, config.workerId(), clock);
    this.checkpointer = Thread.ofPlatform().name("worker-checkpoints").daemon(true).unstarted(() -> {
      while (running) {
        try {
          Thread.sleep(auditConfig.checkpointPoll());
        } catch (InterruptedException e) {
          return;
        }
        try {
          audit.checkpoint(false);
          audit.repairDue(false);
        } catch (AuditLog.AuditUnavailable | RuntimeException e) {
          if (running) {
            LOG.warn("audit checkpoint failed: {}", e.getMessage());
          }
        }
      }
    });
    this.consumer = new SqsWorker(sqs, store, lanes, config, clock);
    if (config.deadLetterQueueUrl() != null) {
      DeadLetterDrainer dlq = new DeadLetterDrainer(sqs, store, config.deadLetterQueueUrl(), config.workerId(), clock);
      this.drainer = Thread.ofPlatform().name("worker-dlq").daemon(true).unstarted(() -> {
        while (running) {
          try {
            dlq.drainOnce(config.waitTimeSeconds());
          } catch (RuntimeException e) {
            if (running) {
              LOG.warn("dead-letter drain failed: {}", e.getMessage());
              pause();
            }
          }
        }
      });
    } else {
      this.drainer = null;
    }
  }

  private static void pause() {
    try {
      Thread.sleep(1_000); // The queue endpoint failed; do not spin on it.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Unseals every key of the fleet into the enclave, then starts taking jobs. A worker whose
   * enclave cannot open every key takes none: a job for a key it lacks would be refused for the
   * wrong reason. The report says which keys failed and, for a KMS refusal, which PCRs the enclave
   * presented; nothing stored is changed.
   *
   * @throws IllegalStateException when a key does not unseal
   */
  public Worker start() {
    try {
      unsealed = sealer.unsealAll();
    } catch (dev.keep.worker.sealing.SealingFailure e) {
      throw new IllegalStateException("worker not started: " + e.getMessage(), e);
    }
    if (!unsealed.complete()) {
      KeySealer.Failure first = unsealed.failures().get(0);
      throw new IllegalStateException("worker not started: " + unsealed.failures().size() + " key(s) did not unseal; "
          + first.keyId() + ": " + first.reason());
    }
    consumer.start();
    if (drainer != null) {
      drainer.start();
    }
    checkpointer.start();
    return this;
  }

  /** What the start unsealed (null before {@link #start}). */
  public KeySealer.UnsealReport unsealReport() {
    return unsealed;
  }

  public long finishedJobs() {
    return consumer.finishedJobs();
  }

  /** The audit chain's keeper: checkpoints written, receipts written apart from their jobs. */
  public AuditLog audit() {
    return audit;
  }

  /** The key lanes: groups stored, and groups refused because another host stored first. */
  public KeyLanes lanes() {
    return lanes;
  }

  /** First half of a graceful stop: take no more messages. */
  public void stopClaiming() {
    running = false;
    consumer.stopClaiming();
  }

  /** Graceful stop: no new claims, in-flight jobs finish (up to {@code grace}). */
  public boolean shutdown(Duration grace) {
    running = false;
    if (drainer != null) {
      drainer.interrupt();
    }
    checkpointer.interrupt();
    boolean drained = consumer.shutdown(grace);
    try {
      // Every chain's tail, checkpointed and counted: what this worker wrote is now all bounded.
      audit.checkpoint(true);
      audit.repairDue(true);
    } catch (AuditLog.AuditUnavailable | RuntimeException e) {
      LOG.warn("the last audit checkpoint failed: {}", e.getMessage());
    }
    enclave.close();
    return drained;
  }

  @Override
  public void close() {
    shutdown(Duration.ofSeconds(30));
  }
}
