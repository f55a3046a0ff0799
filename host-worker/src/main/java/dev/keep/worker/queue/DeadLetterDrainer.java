package dev.keep.worker.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.keep.schema.encoding.ContractSchema;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.encoding.SchemaViolation;
import dev.keep.schema.queue.SigningMessage;
import dev.keep.worker.jobs.AuditRecord;
import dev.keep.worker.jobs.Job;
import dev.keep.worker.jobs.JobStore;
import dev.keep.worker.jobs.Outcome;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Ends the jobs whose messages reached the dead-letter queue (after {@code maxReceiveCount}
 * deliveries): each becomes FAILED with the reason and its audit record, unless it ended in the
 * meantime. A message that is not a signing message stays in the dead-letter queue for an
 * operator, hidden for an hour at a time so it is not re-read in a loop.
 */
public final class DeadLetterDrainer {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterDrainer.class);
  public static final String CODE = "DELIVERY_FAILED";

  private final SqsClient sqs;
  private final JobStore store;
  private final String deadLetterQueueUrl;
  private final String workerId;
  private final Clock clock;

  public DeadLetterDrainer(SqsClient sqs, JobStore store, String deadLetterQueueUrl, String workerId, Clock clock) {
    this.sqs = sqs;
    this.store = store;
    this.deadLetterQueueUrl = deadLetterQueueUrl;
    this.workerId = workerId;
    this.clock = clock;
  }

  /** Drains what is visible now; returns how many jobs it failed. */
  public int drainOnce(int waitSeconds) {
    List<Message> messages =
        sqs.receiveMessage(b -> b.queueUrl(deadLetterQueueUrl)
                .maxNumberOfMessages(10)
                .waitTimeSeconds(waitSeconds)
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
            .messages();
    int failed = 0;
    for (Message message : messages) {
      Optional<SigningMessage> body = parse(message);
      if (body.isEmpty()) {
        sqs.changeMessageVisibility(b -> b.queueUrl(deadLetterQueueUrl)
            .receiptHandle(message.receiptHandle()).visibilityTimeout(3_600));
        continue;
      }
      Optional<Job> job = store.read(body.get().jobId());
      if (job.isPresent() && !job.get().status().isTerminal()) {
        Instant now = clock.instant();
        String reason = "the job's message was delivered the maximum number of times without a result"
            + " and moved to the dead-letter queue";
        Outcome outcome = new Outcome.Failed(CODE, reason);
        if (store.failUnfinished(job.get(), CODE, reason, AuditRecord.of(job.get(), outcome, workerId, now), now)) {
          failed++;
          LOG.warn("job {} FAILED: {}", job.get().jobId(), reason);
        }
      }
      sqs.deleteMessage(b -> b.queueUrl(deadLetterQueueUrl).receiptHandle(message.receiptHandle()));
    }
    return failed;
  }

  private static Optional<SigningMessage> parse(Message message) {
    try {
      return Optional.of(Json.MAPPER.treeToValue(
          ContractSchema.SIGNING_MESSAGE.parse(message.body()), SigningMessage.class));
    } catch (SchemaViolation | JsonProcessingException | IllegalArgumentException e) {
      LOG.error("dead-letter message {} is not a signing message: {}", message.messageId(), e.getMessage());
      return Optional.empty();
    }
  }
}
