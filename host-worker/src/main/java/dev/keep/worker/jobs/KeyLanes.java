package dev.keep.worker.jobs;

import dev.keep.schema.protocol.SealedBlob;
import dev.keep.worker.audit.AuditLog;
import dev.keep.worker.sealing.KeySealer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lane per key: the key's claimed jobs are decided one after another, each on the state the
 * one before it left, and ended together in one transaction with the key's new state ({@link
 * JobStore#commitGroup}). This is what keeps a key's limits across a fleet of hosts, each with its
 * own enclave (issue #15):
 *
 * <ul>
 *   <li>every decision is made on the key's stored state: the lane presents it to the enclave,
 *       which adopts it, and a group is stored only if the stored state is still the one its first
 *       job was decided on;
 *   <li>a charge is stored in the same write as its job's result: no signature is released without
 *       its charge, and a job whose write failed is decided again, on the newer state;
 *   <li>another host storing first makes the group's write fail; the lane takes the state that host
 *       stored (DynamoDB returns it with the refusal) and decides the group again.
 * </ul>
 *
 * <p>Cost: one transaction per group of up to {@link JobStore#MAX_GROUP} jobs of a key, besides
 * each job's claim. Under contention, a host whose group lost decides it again: a hot key's
 * throughput across hosts is about one host's, however many hosts share it.
 */
public final class KeyLanes {
  private static final Logger LOG = LoggerFactory.getLogger(KeyLanes.class);

  /** Rounds one group may take when other hosts keep storing first, before its jobs are retried later. */
  static final int MAX_ROUNDS = 50;

  /** What became of a job handed to a lane. */
  public sealed interface Result {
    /** Ended and stored, with its charge. */
    record Ended(Outcome outcome) implements Result {}

    /** Not ended: worth another attempt later. */
    record Transient(String reason) implements Result {}

    /** Its lease was lost (another worker took it over, or it had ended): nothing was stored for it. */
    record LeaseLost() implements Result {}
  }

  private record Pending(Job job, CompletableFuture<Result> result) {}

  private static final class Lane {
    final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
    final AtomicBoolean running = new AtomicBoolean();
  }

  private final JobExecutor executor;
  private final JobStore store;
  private final KeySealer sealer;
  private final String owner;
  private final Clock clock;
  private final AuditLog audit;
  private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
  /** Each key's stored state as this worker last saw it; an empty Optional: the key has none. */
  private final Map<String, Optional<SealedBlob>> stored = new ConcurrentHashMap<>();
  private final AtomicLong groups = new AtomicLong();
  private final AtomicLong conflicts = new AtomicLong();

  public KeyLanes(JobExecutor executor, JobStore store, KeySealer sealer, AuditLog audit, String owner, Clock clock) {
    this.executor = executor;
    this.audit = audit;
    this.store = store;
    this.sealer = sealer;
    this.owner = owner;
    this.clock = clock;
  }

  /** Groups committed, for the load summary. */
  public long groups() {
    return groups.get();
  }

  /** Group writes refused because another host had stored the key's state first. */
  public long conflicts() {
    return conflicts.get();
  }

  /** Hands a claimed job to its key's lane; the future completes when it ended or cannot now. */
  public CompletableFuture<Result> submit(Job job) {
    Lane lane = lanes.computeIfAbsent(job.keyId(), k -> new Lane());
    CompletableFuture<Result> result = new CompletableFuture<>();
    lane.queue.add(new Pending(job, result));
    if (lane.running.compareAndSet(false, true)) {
      Thread.ofVirtual().name("lane-" + job.keyId()).start(() -> run(job.keyId(), lane));
    }
    return result;
  }

  private void run(String keyId, Lane lane) {
    while (true) {
      List<Pending> group = new ArrayList<>();
      Map<String, Pending> byJob = new java.util.HashMap<>();
      for (Pending p; group.size() < JobStore.MAX_GROUP && (p = lane.queue.poll()) != null; ) {
        Pending first = byJob.putIfAbsent(p.job().jobId(), p);
        if (first == null) {
          group.add(p);
        } else {
          // The same job twice (its message came back while it waited here): one decision, one
          // write (a transaction may not touch an item twice), and both deliveries hear the result.
          Pending again = p;
          first.result().whenComplete((r, e) -> again.result().complete(
              r != null ? r : new Result.Transient(String.valueOf(e))));
        }
      }
      if (!group.isEmpty()) {
        try {
          decideAndStore(keyId, group);
        } catch (RuntimeException e) {
          LOG.warn("key {}: ending a group of {} failed: {}", keyId, group.size(), e.toString());
          group.forEach(p -> p.result().complete(new Result.Transient("storing the group failed: " + e.getMessage())));
        }
        continue;
      }
      lane.running.set(false);
      // A job queued after the poll and before the flag dropped would wait for the next submit.
      if (lane.queue.isEmpty() || !lane.running.compareAndSet(false, true)) {
        return;
      }
    }
  }

  private static List<dev.keep.schema.audit.SignedReceipt> receipts(List<JobStore.Ending> endings) {
    return endings.stream().map(e -> e.audit().receipt()).filter(java.util.Objects::nonNull).toList();
  }

  private void decideAndStore(String keyId, List<Pending> group) {
    List<Pending> pending = new ArrayList<>(group);
    Map<String, String> notStorable = new ConcurrentHashMap<>();
    boolean recovered = false;
    for (int round = 1; !pending.isEmpty(); round++) {
      if (round > MAX_ROUNDS) {
        pending.forEach(p -> p.result().complete(new Result.Transient(
            "the key's stored state changed " + MAX_ROUNDS + " times while this job was decided")));
        return;
      }
      SealedBlob base = stored.computeIfAbsent(keyId, k -> Optional.ofNullable(store.readState(k))).orElse(null);
      SealedBlob head = base;
      List<JobStore.Ending> endings = new ArrayList<>();
      List<Pending> decided = new ArrayList<>();
      boolean retryRound = false;
      Instant now = clock.instant();
      for (Pending p : pending) {
        Outcome outcome;
        dev.keep.schema.audit.SignedReceipt receipt = null;
        String unstorable = notStorable.get(p.job().jobId());
        if (unstorable != null) {
          outcome = new Outcome.Failed("RESULT_NOT_STORED", "the result could not be stored, so it was not released: "
              + unstorable);
        } else {
          JobExecutor.Decided d;
          try {
            d = executor.decide(p.job(), head);
          } catch (JobExecutor.TransientFailure e) {
            p.result().complete(new Result.Transient(e.getMessage()));
            continue;
          } catch (JobExecutor.KeyMissing e) {
            if (!recovered) {
              // The enclave restarted (or never held the key here): unseal into it and decide again.
              recovered = true;
              if (sealer.recover(keyId)) {
                retryRound = true;
                break;
              }
            }
            d = new JobExecutor.Decided(new Outcome.Rejected("KEY_NOT_FOUND", e.getMessage()), null);
          }
          if (d.receipt() != null) {
            try {
              audit.sawBoot(d.receipt().receipt().bootId());
            } catch (AuditLog.AuditUnavailable e) {
              // Its boot's document is not archived, so its receipt could not be verified: the job
              // waits, and the receipt is kept on its own so the chain shows no gap.
              audit.writeUnended(List.of(d.receipt()));
              p.result().complete(new Result.Transient(e.getMessage()));
              continue;
            }
          }
          outcome = d.outcome();
          if (d.next() != null) {
            head = d.next();
          }
          receipt = d.receipt();
        }
        endings.add(new JobStore.Ending(p.job(), outcome, AuditRecord.of(p.job(), outcome, owner, now, receipt)));
        decided.add(p);
      }
      if (retryRound) {
        pending = new ArrayList<>(pending.stream().filter(p -> !p.result().isDone()).toList());
        continue;
      }
      if (endings.isEmpty()) {
        return;
      }
      JobStore.GroupResult result;
      try {
        result = store.commitGroup(keyId, base, head == base ? null : head, endings, owner, now);
      } catch (RuntimeException e) {
        audit.writeUnended(receipts(endings));
        throw e;
      }
      if (!(result instanceof JobStore.GroupResult.Committed)) {
        // Nothing of the group was written, and its jobs are decided again or given up: the answers
        // the enclave released for them are kept in the chain all the same.
        audit.writeUnended(receipts(endings));
      }
      switch (result) {
        case JobStore.GroupResult.Committed c -> {
          groups.incrementAndGet();
          stored.put(keyId, Optional.ofNullable(head));
          for (int i = 0; i < decided.size(); i++) {
            decided.get(i).result().complete(new Result.Ended(endings.get(i).outcome()));
          }
          return;
        }
        case JobStore.GroupResult.StateMoved moved -> {
          conflicts.incrementAndGet();
          stored.put(keyId, Optional.ofNullable(moved.current()));
          pending = decided; // every decision was on a state that is no longer the stored one
        }
        case JobStore.GroupResult.LeasesLost lost -> {
          Set<String> ids = lost.jobIds();
          decided.stream().filter(p -> ids.contains(p.job().jobId()))
              .forEach(p -> p.result().complete(new Result.LeaseLost()));
          // The others were decided on a chain that held the lost jobs' charges: decide them again.
          pending = decided.stream().filter(p -> !ids.contains(p.job().jobId())).toList();
        }
        case JobStore.GroupResult.NotStorable bad -> {
          if (bad.jobId() == null || notStorable.containsKey(bad.jobId())) {
            LOG.error("key {}: DynamoDB refused a group of {}: {}", keyId, decided.size(), bad.reason());
            decided.forEach(p -> p.result().complete(new Result.Transient(bad.reason())));
            return;
          }
          LOG.error("job {}: {}; it ends FAILED", bad.jobId(), bad.reason());
          notStorable.put(bad.jobId(), bad.reason());
          pending = decided;
        }
      }
    }
  }
}
