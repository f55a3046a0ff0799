package dev.keep.worker.queue;

import java.time.Duration;
import java.util.Objects;

/**
 * How a worker consumes the signing queue.
 *
 * @param visibilityTimeout how long a received message stays hidden; the worker extends it every
 *     third of this while the job runs
 * @param lease how long a claim holds a job against other workers; extended with the visibility
 * @param maxAttempts claims after which a job that keeps failing transiently ends FAILED
 */
public record WorkerConfig(
    String queueUrl,
    String deadLetterQueueUrl,
    String workerId,
    int concurrency,
    Duration visibilityTimeout,
    Duration lease,
    int maxAttempts,
    int waitTimeSeconds) {

  public WorkerConfig {
    Objects.requireNonNull(queueUrl, "queueUrl");
    Objects.requireNonNull(workerId, "workerId");
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1");
    }
    if (visibilityTimeout.toSeconds() < 1) {
      throw new IllegalArgumentException("visibilityTimeout must be at least 1 second");
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    if (waitTimeSeconds < 0 || waitTimeSeconds > 20) {
      throw new IllegalArgumentException("waitTimeSeconds must be 0..20 (SQS long-poll limit)");
    }
  }

  public static WorkerConfig defaults(String queueUrl, String deadLetterQueueUrl, String workerId) {
    return new WorkerConfig(
        queueUrl, deadLetterQueueUrl, workerId, 32, Duration.ofSeconds(30), Duration.ofSeconds(30), 5, 20);
  }

  public WorkerConfig withConcurrency(int n) {
    return new WorkerConfig(queueUrl, deadLetterQueueUrl, workerId, n, visibilityTimeout, lease, maxAttempts, waitTimeSeconds);
  }

  public WorkerConfig withTimeouts(Duration visibility, Duration leaseDuration, int waitSeconds) {
    return new WorkerConfig(queueUrl, deadLetterQueueUrl, workerId, concurrency, visibility, leaseDuration, maxAttempts, waitSeconds);
  }

}
