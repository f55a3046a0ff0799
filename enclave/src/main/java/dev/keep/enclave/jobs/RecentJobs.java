package dev.keep.enclave.jobs;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Remembers the results of recent jobs, so a job delivered twice (SQS is at-least-once) or
 * retried after a worker crash gets the first result back instead of a second signature.
 *
 * <p>A job id reused with a different request is refused: the id identifies one request forever.
 * Two concurrent deliveries of one job share one computation. Only successful results are kept;
 * a failure is computed again on the next attempt.
 */
public final class RecentJobs<R> {
  /** The job id was seen before with another request. */
  public static final class ConflictingJobException extends Exception {
    private static final long serialVersionUID = 1L;

    ConflictingJobException(String jobId) {
      super("jobId: '" + jobId + "' was used before for a different request");
    }
  }

  private record Slot<R>(byte[] fingerprint, CompletableFuture<R> result) {}

  private final int capacity;
  private final ConcurrentHashMap<String, Slot<R>> slots = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<String> order = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();

  public RecentJobs(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    this.capacity = capacity;
  }

  /**
   * Returns the remembered result for {@code jobId}, or computes it with {@code compute}.
   *
   * @param fingerprint a digest of the request; the same job id must always come with it
   * @param isSuccess which results to remember
   */
  public R resultFor(
      String jobId,
      byte[] fingerprint,
      Supplier<R> compute,
      java.util.function.Predicate<R> isSuccess)
      throws ConflictingJobException {
    CompletableFuture<R> mine = new CompletableFuture<>();
    Slot<R> slot = slots.putIfAbsent(jobId, new Slot<>(fingerprint, mine));
    if (slot != null) {
      if (!Arrays.equals(slot.fingerprint(), fingerprint)) {
        throw new ConflictingJobException(jobId);
      }
      return await(slot.result());
    }
    R result;
    try {
      result = compute.get();
    } catch (RuntimeException e) {
      slots.remove(jobId);
      mine.completeExceptionally(e);
      throw e;
    }
    if (isSuccess.test(result)) {
      mine.complete(result);
      order.add(jobId);
      if (size.incrementAndGet() > capacity) {
        evictOldest();
      }
    } else {
      // Let whoever waits on this slot see the failure, then forget it so a retry recomputes.
      slots.remove(jobId);
      mine.complete(result);
    }
    return result;
  }

  private void evictOldest() {
    String oldest = order.poll();
    if (oldest != null) {
      slots.remove(oldest);
      size.decrementAndGet();
    }
  }

  public int size() {
    return size.get();
  }

  private static <R> R await(CompletableFuture<R> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a concurrent delivery", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a concurrent delivery of this job failed", e.getCause());
    }
  }
}
