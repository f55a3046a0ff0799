package dev.keep.api.webhooks;

import dev.keep.api.batches.BatchesApi;
import dev.keep.api.jobs.JobRepository;
import dev.keep.schema.api.BatchView;
import dev.keep.schema.api.JobStatus;
import dev.keep.schema.api.JobView;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.queue.DeliveryMessage;
import dev.keep.schema.tables.JobAttributes;
import dev.keep.schema.tables.SortableInstant;
import dev.keep.schema.webhook.EventType;
import dev.keep.schema.webhook.WebhookEvent;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Turns the jobs table's stream into deliveries: one per terminal transition and subscribed
 * endpoint, and one {@code batch.completed} per batch. It runs at least once per stream record (a
 * Lambda batch that fails is read again), so everything it does is idempotent:
 *
 * <ul>
 *   <li>only a change of status into a terminal one makes an event; a job written again in the
 *       same terminal status (a redelivered message) makes none;
 *   <li>an event's message id comes from the job and its status, and a delivery's id from the
 *       endpoint and the message, written only if absent; a delivery already made but never
 *       attempted is queued again, in case the earlier run died between the write and the send;
 *   <li>a batch counts each job once (a string set on the batch).
 * </ul>
 *
 * <p>An endpoint that is disabled gets its deliveries recorded as SKIPPED, unsent, so that a
 * replay after it is enabled again catches up on what it missed.
 */
public final class EventDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);

  private final WebhookStore store;
  private final DeliveryQueue queue;
  private final BatchesApi batches;
  private final Clock clock;

  public EventDispatcher(WebhookStore store, DeliveryQueue queue, BatchesApi batches, Clock clock) {
    this.store = store;
    this.queue = queue;
    this.batches = batches;
    this.clock = clock;
  }

  /** How many records of a batch are dispatched at once: each costs a few DynamoDB round trips. */
  static final int PARALLEL = 32;

  /**
   * Dispatches every change; throws if any failed, after the rest are done, so the caller
   * (Lambda's stream poller) reads the batch again. Repeating is harmless.
   *
   * <p>Records are dispatched {@link #PARALLEL} at once, and each record's deliveries are queued as
   * soon as they are written: ordering is not promised to receivers, and an event should not wait
   * for the other 999 records of its batch (the first version did, and a 200-job batch delayed its
   * first events by 10 s).
   */
  public void dispatch(List<StreamChange> changes) {
    Instant now = clock.instant();
    Map<String, List<Webhook>> endpoints = new java.util.concurrent.ConcurrentHashMap<>();
    // A batch's last two jobs ending in one stream batch both find it complete: its event is
    // fanned out once per call. (Across calls, the delivery's id still makes one delivery; the
    // message may then be sent twice, which at-least-once delivery allows.)
    java.util.Set<String> batchesDone = java.util.concurrent.ConcurrentHashMap.newKeySet();
    List<java.util.concurrent.Future<?>> running = new ArrayList<>();
    java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(PARALLEL);
    RuntimeException failure = null;
    try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (StreamChange change : changes) {
        Optional<JobStatus> ended = terminalTransition(change);
        if (ended.isEmpty()) {
          continue;
        }
        slots.acquireUninterruptibly();
        running.add(threads.submit(() -> {
          try {
            List<DeliveryMessage> messages = new ArrayList<>();
            dispatchOne(change.newImage(), ended.get(), endpoints, batchesDone, now, messages);
            if (!messages.isEmpty()) {
              queue.sendAll(messages, now);
            }
          } finally {
            slots.release();
          }
        }));
      }
      for (var r : running) {
        try {
          r.get();
        } catch (java.util.concurrent.ExecutionException e) {
          failure = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failure = new IllegalStateException("interrupted", e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** One job's terminal transition: its event, and its batch's if it was the batch's last job. */
  private void dispatchOne(Map<String, AttributeValue> job, JobStatus ended, Map<String, List<Webhook>> endpoints,
      java.util.Set<String> batchesDone, Instant now, List<DeliveryMessage> messages) {
    String tenantId = job.get(JobAttributes.TENANT_ID).s();
    String jobId = job.get(JobAttributes.JOB_ID).s();
    String batchId = job.containsKey(JobAttributes.BATCH_ID) ? job.get(JobAttributes.BATCH_ID).s() : null;
    JobView view = JobRepository.toView(job);
    EventType type = EventType.forJob(ended).orElseThrow();
    List<Webhook> tenantEndpoints = endpoints.computeIfAbsent(tenantId, store::ofTenant);
    String payload = Json.write(new WebhookEvent(type, view.updatedAt(), view));
    fanOut(tenantEndpoints, type, Delivery.messageId("job|" + jobId + "|" + ended.name()), payload, jobId, batchId, now,
        messages);
    if (batchId == null) {
      return;
    }
    Optional<BatchView> completed = batches.jobEnded(batchId, jobId);
    if (completed.isEmpty() || !batchesDone.add(batchId)) {
      return;
    }
    BatchView batch = completed.get();
    String at = batch.completedAt() != null ? batch.completedAt() : view.updatedAt();
    fanOut(tenantEndpoints, EventType.BATCH_COMPLETED, Delivery.messageId("batch|" + batchId),
        Json.write(new WebhookEvent(EventType.BATCH_COMPLETED, at, batch)), null, batchId, now, messages);
  }

  /** Sends {@code webhook}'s deliveries of one event and records them; a test event is one of these. */
  void fanOut(List<Webhook> webhooks, EventType type, String messageId, String payload, String jobId, String batchId,
      Instant now, List<DeliveryMessage> messages) {
    for (Webhook webhook : webhooks) {
      if (!webhook.wants(type)) {
        continue;
      }
      Delivery delivery = newDelivery(webhook, type, messageId, payload, jobId, batchId, now);
      if (store.createDelivery(delivery)) {
        if (delivery.status() == Delivery.Status.PENDING) {
          messages.add(DeliveryMessage.of(delivery.deliveryId(), delivery.token(), delivery.nextAttemptAt()));
        }
        continue;
      }
      // Made by an earlier run: queue it again only if no attempt has been recorded, in case that run
      // stopped before it sent the message; an attempted delivery has its own next message.
      store.findDelivery(delivery.deliveryId())
          .filter(d -> d.status() == Delivery.Status.PENDING && d.attemptCount() == 0)
          .ifPresent(d -> messages.add(DeliveryMessage.of(d.deliveryId(), d.token(), d.nextAttemptAt())));
    }
  }

  static Delivery newDelivery(Webhook webhook, EventType type, String messageId, String payload, String jobId,
      String batchId, Instant now) {
    Delivery.Status status = webhook.disabled() ? Delivery.Status.SKIPPED : Delivery.Status.PENDING;
    String at = SortableInstant.of(now);
    return new Delivery(Delivery.deliveryId(webhook.webhookId(), messageId), webhook.webhookId(), webhook.tenantId(),
        messageId, type, jobId, batchId, payload, status, 0, 0, Delivery.newToken(), now.toString(), at, now.toString(),
        List.of());
  }

  /** The terminal status a change moved a job into, if it did; nothing for any other change. */
  static Optional<JobStatus> terminalTransition(StreamChange change) {
    Map<String, AttributeValue> after = change.newImage();
    if (after.isEmpty() || !after.containsKey(JobAttributes.STATUS) || !after.containsKey(JobAttributes.TENANT_ID)) {
      return Optional.empty();
    }
    JobStatus status;
    try {
      status = JobStatus.valueOf(after.get(JobAttributes.STATUS).s());
    } catch (IllegalArgumentException | NullPointerException e) {
      LOG.warn("stream record {} has an unknown status; skipped", change.sequenceNumber());
      return Optional.empty();
    }
    if (!status.isTerminal()) {
      return Optional.empty();
    }
    AttributeValue before = change.oldImage().get(JobAttributes.STATUS);
    if (before != null && status.name().equals(before.s())) {
      return Optional.empty();
    }
    return Optional.of(status);
  }
}
