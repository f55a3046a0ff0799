package dev.keep.enclave.audit;

import dev.keep.enclave.attestation.AuditKey;
import dev.keep.enclave.signing.Signer;
import dev.keep.schema.audit.Checkpoint;
import dev.keep.schema.audit.Receipt;
import dev.keep.schema.audit.SignedReceipt;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Issues this boot's audit receipts (issue 19): one per decision about a job, each signed by the
 * boot's audit key and chained to the one before it.
 *
 * <p><b>One chain per tenant.</b> Each tenant's receipts of a boot form their own chain: {@code seq}
 * counts from 1 without gaps and {@code prev} is the SHA-256 of the previous receipt's canonical
 * form, within that tenant's chain. A tenant's auditor can then check a complete chain of its own
 * without seeing another tenant's jobs: with one chain for the whole boot, every tenant's export
 * would have gaps where other tenants' receipts sit, or would have to show them.
 *
 * <p>The enclave assigns the number and the link itself, under one lock, so a chain has one order
 * whatever the number of connections, and a host that drops, reorders or inserts a receipt leaves a
 * gap or a broken link. Times are strictly increasing within the boot (to the microsecond), so a
 * chain read in time order is in seq order.
 *
 * <p>A job decided again to the same effect (a redelivered message; same request, decision, rule
 * and result) gets the receipt already issued for it, not a second one, as long as this boot
 * remembers the job ({@code remembered} most recent jobs). A job decided again to another effect (a
 * fleet's key state moved under it, and a Schnorr signature's fresh randomness gives another
 * result) gets a new receipt: the enclave released two answers, and the chain says so.
 *
 * <p>For each chain, every {@code checkpointEvery} receipts, or after {@code checkpointAfter} with at
 * least one receipt since the last, a checkpoint is due: a signed statement of the chain's length and
 * head.
 */
public final class ReceiptIssuer {
  /** What the enclave decided about one job; the issuer adds the chain, the boot and the time. */
  public record Decision(String jobId, String tenant, String keyId, String kind, String requestDigest, String decision,
      String rule, String reason, Long policyVersion, String policyHash, String resultDigest) {
    public Decision {
      Objects.requireNonNull(jobId, "jobId");
      Objects.requireNonNull(tenant, "tenant");
    }

    /** Whether {@code receipt} records this very decision (everything but chain, boot and time). */
    boolean recordedBy(Receipt receipt) {
      return receipt.tenant().equals(tenant) && receipt.keyId().equals(keyId) && receipt.kind().equals(kind)
          && receipt.requestDigest().equals(requestDigest) && receipt.decision().equals(decision)
          && Objects.equals(receipt.rule(), rule) && Objects.equals(receipt.reason(), reason)
          && Objects.equals(receipt.policyVersion(), policyVersion) && Objects.equals(receipt.policyHash(), policyHash)
          && Objects.equals(receipt.resultDigest(), resultDigest);
    }
  }

  /** Receipts a boot remembers, for redeliveries and gaps: about 1 KiB each, so some 50 MiB. */
  public static final int DEFAULT_REMEMBERED = 50_000;
  public static final int DEFAULT_CHECKPOINT_EVERY = 1_000;
  public static final Duration DEFAULT_CHECKPOINT_AFTER = Duration.ofMinutes(5);

  /** When a chain's checkpoint is due: every {@code every} receipts, or {@code after} with any. */
  public record Schedule(int every, Duration after) {
    public static final Schedule DEFAULT = new Schedule(DEFAULT_CHECKPOINT_EVERY, DEFAULT_CHECKPOINT_AFTER);

    public Schedule {
      if (every < 1 || after.isNegative() || after.isZero()) {
        throw new IllegalArgumentException("checkpoints: every must be at least 1 receipt, after a positive time");
      }
    }
  }

  private static final class Chain {
    long seq;
    String head = Receipt.GENESIS;
    long checkpointedSeq;
    Instant checkpointedAt;

    Chain(Instant now) {
      this.checkpointedAt = now;
    }
  }

  private final AuditKey key;
  private final Signer signer;
  private final String bootId;
  private final Clock clock;
  private final int checkpointEvery;
  private final Duration checkpointAfter;
  private final Map<String, SignedReceipt> byJob;
  /** The same receipts by chain and seq ({@code tenant + "/" + seq}), to fill a host's gaps. */
  private final Map<String, SignedReceipt> bySeq;
  private final Map<String, Chain> chains = new HashMap<>();
  private Instant lastTime = Instant.EPOCH;

  public ReceiptIssuer(AuditKey key, Signer signer, String bootId, Clock clock, int remembered, int checkpointEvery,
      Duration checkpointAfter) {
    this.key = key;
    this.signer = signer;
    this.bootId = bootId;
    this.clock = clock;
    this.checkpointEvery = checkpointEvery;
    this.checkpointAfter = checkpointAfter;
    this.byJob = new LinkedHashMap<>(256, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, SignedReceipt> eldest) {
        return size() > remembered;
      }
    };
    this.bySeq = new LinkedHashMap<>(256, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, SignedReceipt> eldest) {
        return size() > remembered;
      }
    };
  }

  /** The receipt for {@code decision}: the one already issued for it, or the next of its tenant's chain. */
  public synchronized SignedReceipt issue(Decision decision) {
    SignedReceipt issued = byJob.get(decision.jobId());
    if (issued != null && decision.recordedBy(issued.receipt())) {
      return issued;
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    Instant time = now.isAfter(lastTime) ? now : lastTime.plus(1, ChronoUnit.MICROS);
    Chain chain = chains.computeIfAbsent(decision.tenant(), t -> new Chain(now));
    Receipt receipt = new Receipt(Receipt.VERSION, chain.seq + 1, chain.head, bootId, time.toString(),
        decision.jobId(), decision.tenant(), decision.keyId(), decision.kind(), decision.requestDigest(),
        decision.decision(), decision.rule(), decision.reason(), decision.policyVersion(), decision.policyHash(),
        decision.resultDigest(), key.publicKey().toHex());
    SignedReceipt signed = new SignedReceipt(receipt, key.sign(signer, receipt.signingHash()).toHex());
    // Only a receipt that was signed moves the chain: a failure above leaves it as it was.
    chain.seq = receipt.seq();
    chain.head = receipt.link();
    lastTime = time;
    byJob.put(decision.jobId(), signed);
    bySeq.put(decision.tenant() + "/" + receipt.seq(), signed);
    return signed;
  }

  /** The receipts {@code fromSeq..toSeq} of {@code tenant}'s chain that this boot still remembers, in order. */
  public synchronized List<SignedReceipt> receipts(String tenant, long fromSeq, long toSeq) {
    List<SignedReceipt> found = new ArrayList<>();
    for (long seq = fromSeq; seq <= toSeq; seq++) {
      SignedReceipt r = bySeq.get(tenant + "/" + seq);
      if (r != null) {
        found.add(r);
      }
    }
    return found;
  }

  /** The latest receipt this boot issued for {@code jobId}, if it still remembers the job. */
  public synchronized Optional<SignedReceipt> issued(String jobId) {
    return Optional.ofNullable(byJob.get(jobId));
  }

  /**
   * The checkpoints due now, signed, one per chain that reached {@code checkpointEvery} receipts or
   * waited {@code checkpointAfter} with any since its last.
   */
  public synchronized List<Checkpoint.Signed> dueCheckpoints() {
    Instant now = clock.instant();
    List<Checkpoint.Signed> due = new ArrayList<>();
    for (var entry : chains.entrySet()) {
      Chain chain = entry.getValue();
      long since = chain.seq - chain.checkpointedSeq;
      if (since >= checkpointEvery || (since > 0 && !now.isBefore(chain.checkpointedAt.plus(checkpointAfter)))) {
        due.add(checkpoint(entry.getKey(), chain, now));
      }
    }
    return due;
  }

  /**
   * A signed statement of the length and head of every chain with a receipt since its last
   * checkpoint, due or not: a worker stopping leaves no tail unchecked.
   */
  public synchronized List<Checkpoint.Signed> checkpointAll() {
    Instant now = clock.instant();
    return chains.entrySet().stream().filter(e -> e.getValue().seq > e.getValue().checkpointedSeq)
        .map(e -> checkpoint(e.getKey(), e.getValue(), now)).toList();
  }

  private Checkpoint.Signed checkpoint(String tenant, Chain chain, Instant now) {
    Checkpoint checkpoint = new Checkpoint(bootId, tenant, chain.seq, chain.head, now.toString(), key.publicKey().toHex());
    Checkpoint.Signed signed = new Checkpoint.Signed(checkpoint, key.sign(signer, checkpoint.signingHash()).toHex());
    chain.checkpointedSeq = chain.seq;
    chain.checkpointedAt = now;
    return signed;
  }

  public String bootId() {
    return bootId;
  }
}
