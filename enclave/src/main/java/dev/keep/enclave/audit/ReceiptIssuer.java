package dev.keep.enclave.audit;

import dev.keep.enclave.attestation.AuditKey;
import dev.keep.enclave.signing.Signer;
import dev.keep.schema.audit.Checkpoint;
import dev.keep.schema.audit.Receipt;
import dev.keep.schema.audit.SignedReceipt;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Issues this boot's audit receipts (issue 19): one per decision about a job, numbered from 1
 * without gaps, each linked to the one before by the SHA-256 of its canonical form, each signed by
 * the boot's audit key. The enclave assigns the number and the link itself, under one lock, so the
 * chain has one order whatever the number of connections, and a host that drops, reorders or
 * inserts a receipt leaves a gap or a broken link.
 *
 * <p>A job decided again (a redelivered message) gets the receipt already issued for it, not a
 * second one, as long as this boot remembers the job ({@code remembered} most recent jobs, as
 * {@code RecentJobs} remembers their results).
 *
 * <p>Every {@code checkpointEvery} receipts, or after {@code checkpointAfter} with at least one
 * receipt since the last, a checkpoint is due: a signed statement of the chain's length and head.
 *
 * <p><b>Under way:</b> the issuer is not yet wired into the frame server; receipts are not yet
 * returned to the host, stored by the worker, exported or verified offline.
 */
public final class ReceiptIssuer {
  /** What the enclave decided about one job; the issuer adds the chain, the boot and the time. */
  public record Decision(String jobId, String tenant, String keyId, String kind, String requestDigest, String decision,
      String rule, String reason, Long policyVersion, String policyHash, String resultDigest) {
    public Decision {
      Objects.requireNonNull(jobId, "jobId");
    }
  }

  public static final int DEFAULT_CHECKPOINT_EVERY = 1_000;
  public static final Duration DEFAULT_CHECKPOINT_AFTER = Duration.ofMinutes(5);

  private final AuditKey key;
  private final Signer signer;
  private final String bootId;
  private final Clock clock;
  private final int checkpointEvery;
  private final Duration checkpointAfter;
  private final Map<String, SignedReceipt> byJob;

  private long seq;
  private String head = Receipt.GENESIS;
  private long checkpointedSeq;
  private Instant checkpointedAt;

  public ReceiptIssuer(AuditKey key, Signer signer, String bootId, Clock clock, int remembered, int checkpointEvery,
      Duration checkpointAfter) {
    this.key = key;
    this.signer = signer;
    this.bootId = bootId;
    this.clock = clock;
    this.checkpointEvery = checkpointEvery;
    this.checkpointAfter = checkpointAfter;
    this.checkpointedAt = clock.instant();
    this.byJob = new LinkedHashMap<>(256, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, SignedReceipt> eldest) {
        return size() > remembered;
      }
    };
  }

  /** The receipt for {@code decision}: the one already issued for its job, or the next of the chain. */
  public synchronized SignedReceipt issue(Decision decision) {
    SignedReceipt issued = byJob.get(decision.jobId());
    if (issued != null) {
      return issued;
    }
    Receipt receipt = new Receipt(Receipt.VERSION, seq + 1, head, bootId, clock.instant().toString(), decision.jobId(),
        decision.tenant(), decision.keyId(), decision.kind(), decision.requestDigest(), decision.decision(),
        decision.rule(), decision.reason(), decision.policyVersion(), decision.policyHash(), decision.resultDigest(),
        key.publicKey().toHex());
    SignedReceipt signed = new SignedReceipt(receipt, key.sign(signer, receipt.signingHash()).toHex());
    // Only a receipt that was signed moves the chain: a failure above leaves seq and head as they were.
    seq = receipt.seq();
    head = receipt.link();
    byJob.put(decision.jobId(), signed);
    return signed;
  }

  /** The receipt this boot issued for {@code jobId}, if it still remembers the job. */
  public synchronized Optional<SignedReceipt> issued(String jobId) {
    return Optional.ofNullable(byJob.get(jobId));
  }

  /** Whether a checkpoint is due: {@code checkpointEvery} receipts, or {@code checkpointAfter} with any, since the last. */
  public synchronized boolean checkpointDue() {
    long since = seq - checkpointedSeq;
    return since >= checkpointEvery || (since > 0 && !clock.instant().isBefore(checkpointedAt.plus(checkpointAfter)));
  }

  /** A signed statement of the chain's length and head now. */
  public synchronized Checkpoint.Signed checkpoint() {
    Instant now = clock.instant();
    Checkpoint checkpoint = new Checkpoint(bootId, seq, head, now.toString(), key.publicKey().toHex());
    Checkpoint.Signed signed = new Checkpoint.Signed(checkpoint, key.sign(signer, checkpoint.signingHash()).toHex());
    checkpointedSeq = seq;
    checkpointedAt = now;
    return signed;
  }

  public String bootId() {
    return bootId;
  }
}
