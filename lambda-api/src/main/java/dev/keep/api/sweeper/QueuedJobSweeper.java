package dev.keep.api.sweeper;

import static dev.keep.schema.tables.JobAttributes.CREATED_AT;
import static dev.keep.schema.tables.JobAttributes.JOB_ID;

import dev.keep.api.jobs.JobQueue;
import dev.keep.api.jobs.JobRepository;
import dev.keep.schema.queue.SigningMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The outbox's second half: a job stored as QUEUED whose message was never sent (the API crashed
 * or SQS failed between the write and the send) is sent again. Only jobs older than {@code
 * staleAfter} are touched, so jobs merely waiting in a long queue are not sent twice; a duplicate
 * would be harmless anyway, since workers claim jobs with a conditional write.
 */
public final class QueuedJobSweeper {
  private static final Logger LOG = LoggerFactory.getLogger(QueuedJobSweeper.class);

  private final JobRepository jobs;
  private final JobQueue queue;
  private final Clock clock;
  private final Duration staleAfter;

  public QueuedJobSweeper(JobRepository jobs, JobQueue queue, Clock clock, Duration staleAfter) {
    this.jobs = jobs;
    this.queue = queue;
    this.clock = clock;
    this.staleAfter = staleAfter;
  }

  /** One pass; returns how many jobs were re-enqueued. */
  public int sweep(int limit) {
    Instant now = clock.instant();
    int sent = 0;
    for (Map<String, AttributeValue> key : jobs.queuedBefore(now.minus(staleAfter), limit)) {
      String jobId = key.get(JOB_ID).s();
      // The index is eventually consistent: re-read the job before sending.
      Optional<String> tenant = jobs.tenantOf(jobId);
      if (tenant.isPresent()) {
        queue.enqueue(SigningMessage.of(jobId, tenant.get(), now.toString()));
        sent++;
        LOG.info("re-enqueued job {} (created {})", jobId, key.get(CREATED_AT).s());
      }
    }
    return sent;
  }
}
