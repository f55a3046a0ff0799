package dev.keep.api.jobs;

import dev.keep.schema.encoding.Json;
import dev.keep.schema.queue.SigningMessage;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/** Sends signing messages to the queue the workers consume. */
public final class JobQueue {
  private static final Logger LOG = LoggerFactory.getLogger(JobQueue.class);
  /** SQS takes at most ten messages a call. */
  private static final int BATCH = 10;
  private final SqsClient sqs;
  private final String queueUrl;

  public JobQueue(SqsClient sqs, String queueUrl) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
  }

  public void enqueue(SigningMessage message) {
    sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(Json.write(message)));
  }

  /**
   * Sends the messages ten a call. A message SQS refuses, or a call that fails, is logged and left:
   * its job is stored QUEUED, and the sweeper enqueues it. Returns how many were not sent.
   */
  public int enqueueAll(List<SigningMessage> messages) {
    int unsent = 0;
    for (int from = 0; from < messages.size(); from += BATCH) {
      List<SigningMessage> chunk = messages.subList(from, Math.min(messages.size(), from + BATCH));
      List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
      for (int i = 0; i < chunk.size(); i++) {
        entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i)).messageBody(Json.write(chunk.get(i))).build());
      }
      try {
        SendMessageBatchResponse response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
        if (response.hasFailed() && !response.failed().isEmpty()) {
          unsent += response.failed().size();
          LOG.warn("{} of {} messages not enqueued (first: {}); the sweeper will re-drive their jobs",
              response.failed().size(), chunk.size(), response.failed().getFirst().message());
        }
      } catch (RuntimeException e) {
        unsent += chunk.size();
        LOG.warn("{} messages not enqueued ({}); the sweeper will re-drive their jobs", chunk.size(), e.getMessage());
      }
    }
    return unsent;
  }
}
