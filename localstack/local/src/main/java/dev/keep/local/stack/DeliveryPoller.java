package dev.keep.local.stack;

import dev.keep.api.webhooks.DeliverySender;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * What Lambda's SQS event source mapping does for the webhook sender in AWS, done locally: long
 * polls the delivery queue, runs {@link DeliverySender#process} for each message (many at once, on
 * virtual threads, as concurrent Lambda invocations would), and deletes a message once it was
 * handled. A message whose handling threw is left for SQS to deliver again after its visibility
 * timeout, and after the queue's {@code maxReceiveCount} goes to the DLQ.
 */
public final class DeliveryPoller implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryPoller.class);
  private static final int IN_FLIGHT = 64;

  private final SqsClient sqs;
  private final String queueUrl;
  private final DeliverySender sender;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final ExecutorService attempts = Executors.newVirtualThreadPerTaskExecutor();
  private final Semaphore slots = new Semaphore(IN_FLIGHT);
  private final Thread thread;

  private DeliveryPoller(SqsClient sqs, String queueUrl, DeliverySender sender) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
    this.sender = sender;
    this.thread = Thread.ofPlatform().name("delivery-queue").daemon(true).unstarted(this::run);
  }

  public static DeliveryPoller start(SqsClient sqs, String queueUrl, DeliverySender sender) {
    DeliveryPoller poller = new DeliveryPoller(sqs, queueUrl, sender);
    poller.thread.start();
    return poller;
  }

  private void run() {
    while (running.get()) {
      try {
        // At most IN_FLIGHT messages being attempted; each received batch is handled on its own.
        slots.acquire(10);
        List<Message> messages;
        try {
          messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1)).messages();
        } catch (RuntimeException e) {
          slots.release(10);
          throw e;
        }
        slots.release(10 - messages.size());
        if (!messages.isEmpty()) {
          attempts.submit(() -> handle(messages));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        if (running.get()) {
          LOG.warn("polling the delivery queue failed: {}", e.toString());
        }
      }
    }
  }

  /** One received batch: every message at once, then one DeleteMessageBatch for those handled, as Lambda's poller does. */
  private void handle(List<Message> messages) {
    try (var each = Executors.newVirtualThreadPerTaskExecutor()) {
      List<java.util.concurrent.Future<Boolean>> done = messages.stream().map(m -> each.submit(() -> {
        try {
          sender.process(m.body());
          return true;
        } catch (RuntimeException e) {
          LOG.warn("delivery message {} failed and will come back: {}", m.messageId(), e.toString());
          return false;
        }
      })).toList();
      List<software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry> handled = new java.util.ArrayList<>();
      for (int i = 0; i < messages.size(); i++) {
        if (Boolean.TRUE.equals(done.get(i).get())) {
          handled.add(software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry.builder()
              .id(Integer.toString(i)).receiptHandle(messages.get(i).receiptHandle()).build());
        }
      }
      if (!handled.isEmpty()) {
        sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(handled));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | RuntimeException e) {
      LOG.warn("a delivery batch failed; its messages come back after their visibility timeout: {}", e.toString());
    } finally {
      slots.release(messages.size());
    }
  }

  @Override
  public void close() {
    running.set(false);
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    attempts.shutdownNow();
  }
}
