package dev.keep.api.webhooks;

import dev.keep.schema.encoding.Json;
import dev.keep.schema.queue.DeliveryMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * The webhook delivery queue. A message becomes visible when its attempt is due, through SQS's
 * per-message delay, which stops at 15 minutes (SQS {@code DelaySeconds}, 0 to 900): a longer wait
 * is sent with the longest delay and {@code notBefore}, and the sender sends it again with the rest
 * of the wait when it arrives early. No thread waits out a retry.
 */
public final class DeliveryQueue {
  /** SQS's longest per-message delay. */
  public static final Duration MAX_DELAY = Duration.ofMinutes(15);

  private final SqsClient sqs;
  private final String queueUrl;

  public DeliveryQueue(SqsClient sqs, String queueUrl) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
  }

  static int delaySeconds(Instant notBefore, Instant now) {
    long wait = Duration.between(now, notBefore).toMillis();
    if (wait <= 0) {
      return 0;
    }
    // Round up, so a message never arrives before its time by less than a second and bounces.
    return (int) Math.min(MAX_DELAY.toSeconds(), (wait + 999) / 1000);
  }

  public void send(DeliveryMessage message, Instant now) {
    int delay = delaySeconds(Instant.parse(message.notBefore()), now);
    sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(Json.write(message)).delaySeconds(delay));
  }

  /** Sends every message, ten to a request; throws if any was not sent, after sending the rest. */
  public void sendAll(List<DeliveryMessage> messages, Instant now) {
    List<String> failed = new ArrayList<>();
    for (int from = 0; from < messages.size(); from += 10) {
      List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
      List<DeliveryMessage> chunk = messages.subList(from, Math.min(messages.size(), from + 10));
      for (int i = 0; i < chunk.size(); i++) {
        DeliveryMessage m = chunk.get(i);
        entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i)).messageBody(Json.write(m))
            .delaySeconds(delaySeconds(Instant.parse(m.notBefore()), now)).build());
      }
      var response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
      for (BatchResultErrorEntry e : response.failed()) {
        failed.add(chunk.get(Integer.parseInt(e.id())).deliveryId() + " (" + e.code() + ")");
      }
    }
    if (!failed.isEmpty()) {
      throw new IllegalStateException("not queued: " + String.join(", ", failed));
    }
  }
}
