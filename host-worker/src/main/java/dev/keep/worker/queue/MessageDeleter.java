package dev.keep.worker.queue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Deletes finished jobs' messages in batches of up to ten (SQS {@code DeleteMessageBatch}), so a
 * job costs a tenth of a request to delete instead of one. A message is deleted only after its
 * job's result is stored, so a delete that is late or lost costs nothing but a redelivery, which
 * finds the job ended and deletes it then. A batch goes when it is full, or {@link #LINGER_MILLIS}
 * after its first message.
 */
final class MessageDeleter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MessageDeleter.class);
  static final int BATCH = 10;
  static final long LINGER_MILLIS = 20;

  private final SqsClient sqs;
  private final String queueUrl;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("sqs-deleter").daemon(true).factory());
  private final List<String> waiting = new ArrayList<>();

  MessageDeleter(SqsClient sqs, String queueUrl) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
  }

  void delete(Message message) {
    List<String> full = null;
    synchronized (waiting) {
      waiting.add(message.receiptHandle());
      if (waiting.size() >= BATCH) {
        full = take();
      } else if (waiting.size() == 1) {
        timer.schedule(this::flush, LINGER_MILLIS, TimeUnit.MILLISECONDS);
      }
    }
    if (full != null) {
      send(full);
    }
  }

  void flush() {
    List<String> batch;
    synchronized (waiting) {
      batch = take();
    }
    if (!batch.isEmpty()) {
      send(batch);
    }
  }

  private List<String> take() {
    List<String> batch = new ArrayList<>(waiting);
    waiting.clear();
    return batch;
  }

  private void send(List<String> handles) {
    List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>(handles.size());
    for (int i = 0; i < handles.size(); i++) {
      entries.add(DeleteMessageBatchRequestEntry.builder().id("d" + i).receiptHandle(handles.get(i)).build());
    }
    try {
      DeleteMessageBatchResponse response = sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
      if (response.hasFailed() && !response.failed().isEmpty()) {
        LOG.warn("{} of {} deletes failed (first: {}); those messages come back and are deleted then",
            response.failed().size(), handles.size(), response.failed().get(0).message());
      }
    } catch (RuntimeException e) {
      LOG.warn("deleting {} messages failed ({}); they come back and are deleted then", handles.size(), e.getMessage());
    }
  }

  @Override
  public void close() {
    flush();
    timer.shutdownNow();
  }
}
