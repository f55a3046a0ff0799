package dev.keep.enclave.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RecentJobsTest {
  private static final byte[] A = {1};
  private static final byte[] B = {2};

  @Test
  void repeatedJobGetsTheFirstResult() throws Exception {
    RecentJobs<String> jobs = new RecentJobs<>(10);
    AtomicInteger computed = new AtomicInteger();
    String first = jobs.resultFor("j", A, () -> "sig" + computed.incrementAndGet(), r -> true);
    String second = jobs.resultFor("j", A, () -> "sig" + computed.incrementAndGet(), r -> true);
    assertEquals("sig1", first);
    assertEquals("sig1", second);
    assertEquals(1, computed.get());
  }

  @Test
  void sameJobIdWithAnotherRequestIsRefused() throws Exception {
    RecentJobs<String> jobs = new RecentJobs<>(10);
    jobs.resultFor("j", A, () -> "x", r -> true);
    assertThrows(RecentJobs.ConflictingJobException.class, () -> jobs.resultFor("j", B, () -> "y", r -> true));
  }

  @Test
  void failuresAreNotRemembered() throws Exception {
    RecentJobs<String> jobs = new RecentJobs<>(10);
    assertEquals("error", jobs.resultFor("j", A, () -> "error", r -> !r.equals("error")));
    assertEquals("ok", jobs.resultFor("j", A, () -> "ok", r -> true));
  }

  @Test
  void concurrentDeliveriesShareOneComputation() throws Exception {
    RecentJobs<String> jobs = new RecentJobs<>(10);
    AtomicInteger computed = new AtomicInteger();
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<String> first = pool.submit(() -> jobs.resultFor("j", A, () -> {
        inside.countDown();
        await(release);
        return "sig" + computed.incrementAndGet();
      }, r -> true));
      inside.await();
      Future<String> second = pool.submit(() -> jobs.resultFor("j", A, () -> "sig" + computed.incrementAndGet(), r -> true));
      release.countDown();
      assertEquals("sig1", first.get());
      assertEquals("sig1", second.get());
    }
    assertEquals(1, computed.get());
  }

  @Test
  void oldestEntriesAreEvictedAtCapacity() throws Exception {
    RecentJobs<String> jobs = new RecentJobs<>(2);
    jobs.resultFor("a", A, () -> "1", r -> true);
    jobs.resultFor("b", A, () -> "2", r -> true);
    jobs.resultFor("c", A, () -> "3", r -> true);
    assertEquals(2, jobs.size());
    assertEquals("4", jobs.resultFor("a", A, () -> "4", r -> true));
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
