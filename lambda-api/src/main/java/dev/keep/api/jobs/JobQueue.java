package dev.keep.api.jobs;

import dev.keep.schema.encoding.Json;
import dev.keep.schema.queue.SigningMessage;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Sends signing messages to the queue the workers consume. */
public final class JobQueue {
  private final SqsClient sqs;
  private final String queueUrl;

  public JobQueue(SqsClient sqs, String queueUrl) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
  }

  public void enqueue(SigningMessage message) {
    sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(Json.write(message)));
  }
}
