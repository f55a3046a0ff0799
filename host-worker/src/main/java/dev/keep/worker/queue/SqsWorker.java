package dev.keep.worker.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.keep.schema.encoding.ContractSchema;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.encoding.SchemaViolation;
import dev.keep.schema.queue.SigningMessage;
import dev.keep.worker.jobs.AuditRecord;
import dev.keep.worker.jobs.Claim;
import dev.keep.worker.jobs.Job;
import dev.keep.worker.jobs.KeyLanes;
import dev.keep.worker.jobs.JobStore;
import dev.keep.worker.jobs.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Consumes the signing queue: long polls in batches, runs at most {@code concurrency} jobs at
 * once, claims each job before touching the enclave, and deletes a message only after the job's
 * result is durable. While a job runs, its message visibility and its lease are extended.
 *
 * <p>{@link #shutdown(Duration)} stops claiming at once (messages received after that are handed
 * back to the queue untouched) and waits for the jobs in flight to finish.
 */
public final class SqsWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SqsWorker.class);

  private final SqsClient sqs;
  private final JobStore store;
  private final KeyLanes lanes;
  private final MessageDeleter deleter;
  private final WorkerConfig config;
  private final Clock clock;
  private final Semaphore slots;
  private final ExecutorService jobs = Executors.newVirtualThreadPerTaskExecutor();
  private final ScheduledExecutorService heartbeat =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("worker-heartbeat").daemon(true).factory());
  /** Receipt handle → job id, for the messages whose jobs this worker has claimed. */
  private final Map<String, String> claimed = new ConcurrentHashMap<>();
  private final AtomicLong finished = new AtomicLong();
  private volatile boolean running;
  private Thread poller;

  public SqsWorker(SqsClient sqs, JobStore store, KeyLanes lanes, WorkerConfig config, Clock clock) {
    this.sqs = sqs;
    this.store = store;
    this.lanes = lanes;
    this.deleter = new MessageDeleter(sqs, config.queueUrl());
    this.config = config;
    this.clock = clock;
    this.slots = new Semaphore(config.concurrency());
  }

  public SqsWorker start() {
    running = true;
    poller = Thread.ofPlatform().name("worker-poll-" + config.workerId()).daemon(true).start(this::pollLoop);
    long period = Math.max(1, config.visibilityTimeout().toMillis() / 3);
    heartbeat.scheduleAtFixedRate(this::extendInFlight, period, period, TimeUnit.MILLISECONDS);
    LOG.info("worker {} polling {} with concurrency {}", config.workerId(), config.queueUrl(), config.concurrency());
    return this;
  }

  /** Jobs this worker brought to a terminal state. */
  public long finishedJobs() {
    return finished.get();
  }

  private void pollLoop() {
    while (running) {
      try {
        slots.acquire();
        int want = 1 + drainUpTo(Math.min(10, config.concurrency()) - 1);
        List<Message> messages;
        try {
          messages =
              sqs.receiveMessage(
                      b -> b.queueUrl(config.queueUrl())
                          .maxNumberOfMessages(want)
                          .waitTimeSeconds(config.waitTimeSeconds())
                          .visibilityTimeout((int) config.visibilityTimeout().toSeconds())
                          .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
                  .messages();
        } catch (RuntimeException e) {
          slots.release(want);
          if (running) {
            LOG.warn("receive failed on {}: {}", config.queueUrl(), e.getMessage());
            backoff();
          }
          continue;
        }
        slots.release(want - messages.size());
        for (Message message : messages) {
          if (!running) {
            handBack(message);
            slots.release();
            continue;
          }
          try {
            jobs.submit(() -> {
              try {
                handle(message);
              } catch (RuntimeException e) {
                // The message stays in the queue and comes back after its visibility timeout.
                LOG.error("job message {} failed: {}", message.messageId(), e.toString());
              } finally {
                slots.release();
              }
            });
          } catch (java.util.concurrent.RejectedExecutionException e) {
            handBack(message); // Shutting down: another worker takes it.
            slots.release();
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private int drainUpTo(int n) {
    int got = 0;
    while (got < n && slots.tryAcquire()) {
      got++;
    }
    return got;
  }

  private static void backoff() {
    try {
      Thread.sleep(1_000); // The queue endpoint failed; do not spin on it.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void handle(Message message) {
    SigningMessage body;
    try {
      body = Json.MAPPER.treeToValue(ContractSchema.SIGNING_MESSAGE.parse(message.body()), SigningMessage.class);
    } catch (SchemaViolation | JsonProcessingException | IllegalArgumentException e) {
      // Not ours to fix: leave it to reach the dead-letter queue after maxReceiveCount.
      LOG.error("message {} is not a signing message ({}); leaving it for the dead-letter queue",
          message.messageId(), e.getMessage());
      return;
    }
    Instant now = clock.instant();
    Claim claim = store.claim(body.jobId(), config.workerId(), now, config.lease());
    switch (claim) {
      case Claim.NotFound n -> {
        LOG.warn("message {} names unknown job {}; deleting it", message.messageId(), body.jobId());
        deleter.delete(message);
      }
      case Claim.AlreadyTerminal t -> {
        LOG.debug("job {} already {}; deleting duplicate message", body.jobId(), t.status());
        deleter.delete(message);
      }
      case Claim.LeasedByOther other -> {
        long wait = Math.max(1, Duration.between(now, other.leaseExpiresAt()).toSeconds() + 1);
        LOG.info("job {} is leased by {} until {}; retrying in {}s", body.jobId(), other.owner(), other.leaseExpiresAt(), wait);
        changeVisibility(message, (int) Math.min(wait, 43_200));
      }
      case Claim.Claimed c -> run(message, c.job());
    }
  }

  private void run(Message message, Job job) {
    if (job.attempts() > config.maxAttempts()) {
      finish(message, job, new Outcome.Failed("ATTEMPTS_EXHAUSTED",
          "gave up after " + config.maxAttempts() + " attempts"));
      return;
    }
    claimed.put(message.receiptHandle(), job.jobId());
    try {
      KeyLanes.Result result;
      try {
        result = lanes.submit(job).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return; // shutting down: the message comes back after its visibility timeout
      } catch (java.util.concurrent.ExecutionException e) {
        result = new KeyLanes.Result.Transient(String.valueOf(e.getCause()));
      }
      switch (result) {
        case KeyLanes.Result.Ended ended -> {
          finished.incrementAndGet();
          deleter.delete(message);
        }
        case KeyLanes.Result.LeaseLost lost -> leaseLost(message, job);
        case KeyLanes.Result.Transient t -> {
          if (job.attempts() >= config.maxAttempts()) {
            finish(message, job, new Outcome.Failed("ATTEMPTS_EXHAUSTED",
                "gave up after " + job.attempts() + " attempts; last error: " + t.reason()));
          } else {
            int backoff = (int) Math.min(60, 1L << Math.min(job.attempts(), 6));
            LOG.warn("job {} attempt {} failed ({}); retrying in {}s", job.jobId(), job.attempts(), t.reason(), backoff);
            store.release(job.jobId(), config.workerId(), clock.instant());
            changeVisibility(message, backoff);
          }
        }
      }
    } finally {
      claimed.remove(message.receiptHandle());
    }
  }

  /** Ends a job outside its key's lane: for outcomes that need no decision (attempts ran out). */
  private void finish(Message message, Job job, Outcome outcome) {
    Instant now = clock.instant();
    AuditRecord audit = AuditRecord.of(job, outcome, config.workerId(), now);
    boolean written;
    try {
      written = store.finish(job, config.workerId(), outcome, audit, now);
    } catch (JobStore.NotStorableException e) {
      LOG.error("job {}: {}; ending it FAILED", job.jobId(), e.getMessage());
      Outcome failed = new Outcome.Failed("RESULT_NOT_STORED", "the " + outcome.status()
          + " result could not be stored, so it was not released: " + e.getMessage());
      written = store.finish(job, config.workerId(), failed, AuditRecord.of(job, failed, config.workerId(), now), now);
    }
    if (written) {
      finished.incrementAndGet();
      deleter.delete(message);
      return;
    }
    leaseLost(message, job);
  }

  /**
   * Another worker took the job over after this one's lease ran out. If it has finished, the
   * message is done with; otherwise it is left for the owner.
   */
  private void leaseLost(Message message, Job job) {
    if (store.status(job.jobId()).map(s -> s.isTerminal()).orElse(true)) {
      deleter.delete(message);
    }
    LOG.warn("job {}: lease lost before the result was written; the new owner finishes it", job.jobId());
  }

  /** Every third of the visibility timeout: keep claimed messages hidden and their leases alive. */
  private void extendInFlight() {
    try {
      Instant expiry = clock.instant().plus(config.lease());
      var entries = List.copyOf(claimed.entrySet());
      for (int i = 0; i < entries.size(); i += 10) {
        var batch = entries.subList(i, Math.min(entries.size(), i + 10));
        sqs.changeMessageVisibilityBatch(b -> b.queueUrl(config.queueUrl()).entries(
            java.util.stream.IntStream.range(0, batch.size())
                .mapToObj(j -> ChangeMessageVisibilityBatchRequestEntry.builder()
                    .id("m" + j)
                    .receiptHandle(batch.get(j).getKey())
                    .visibilityTimeout((int) config.visibilityTimeout().toSeconds())
                    .build())
                .toList()));
        for (var entry : batch) {
          store.extendLease(entry.getValue(), config.workerId(), expiry);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("heartbeat failed: {}", e.getMessage());
    }
  }

  private void changeVisibility(Message message, int seconds) {
    try {
      sqs.changeMessageVisibility(b -> b.queueUrl(config.queueUrl())
          .receiptHandle(message.receiptHandle())
          .visibilityTimeout(seconds));
    } catch (RuntimeException e) {
      LOG.warn("could not delay message {}: {}", message.messageId(), e.getMessage());
    }
  }

  private void handBack(Message message) {
    changeVisibility(message, 0);
  }

  /** Stops taking messages; jobs already being handled go on. */
  public void stopClaiming() {
    running = false;
    if (poller != null) {
      poller.interrupt();
    }
  }

  /**
   * Stops claiming new jobs and waits up to {@code grace} for the jobs in flight to finish.
   *
   * @return true when every in-flight job finished within the grace period
   */
  public boolean shutdown(Duration grace) {
    stopClaiming();
    jobs.shutdown();
    boolean drained;
    try {
      drained = jobs.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      drained = false;
    }
    heartbeat.shutdownNow();
    deleter.close();
    LOG.info("worker {} stopped; {} jobs finished{}", config.workerId(), finished.get(),
        drained ? "" : "; some jobs were still running and will be retried elsewhere");
    return drained;
  }

  @Override
  public void close() {
    shutdown(Duration.ofSeconds(30));
  }
}
