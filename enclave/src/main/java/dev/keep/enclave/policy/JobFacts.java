package dev.keep.enclave.policy;

import dev.keep.enclave.signing.Digest32;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a job asks for, as the policy engine needs it. Callers build it from data the enclave has
 * checked; use the factory for the job's kind, then {@link #withApprovals}.
 *
 * @param jobId the job's id: counters are charged once per id
 * @param spend present exactly for a {@link JobKind#PSBT} job
 * @param nostrKind present exactly for a {@link JobKind#NOSTR_EVENT} job, 0 to 65535
 * @param approvalDigest what approvers sign for this job (BIP-340, as a 32-byte message)
 * @param approvals at most {@link #MAX_APPROVALS}; the request layer refuses more
 * @param now the enclave's time for this evaluation; windows end here
 */
public record JobFacts(
    String jobId,
    JobKind kind,
    Optional<SpendFacts> spend,
    OptionalInt nostrKind,
    Digest32 approvalDigest,
    List<Approval> approvals,
    Instant now) {
  public static final int MAX_APPROVALS = 256;
  public static final int MAX_NOSTR_KIND = 65535;

  public JobFacts {
    if (jobId == null || jobId.isEmpty()) {
      throw new IllegalArgumentException("job id is required");
    }
    if (kind == null
        || spend == null
        || nostrKind == null
        || approvalDigest == null
        || now == null) {
      throw new IllegalArgumentException("every job fact is required");
    }
    if (spend.isPresent() != (kind == JobKind.PSBT)) {
      throw new IllegalArgumentException(
          "spend facts are for psbt jobs, and every psbt job has them");
    }
    if (nostrKind.isPresent() != (kind == JobKind.NOSTR_EVENT)) {
      throw new IllegalArgumentException(
          "a nostr kind is for nostr_event jobs, and every one has it");
    }
    if (nostrKind.isPresent()
        && (nostrKind.getAsInt() < 0 || nostrKind.getAsInt() > MAX_NOSTR_KIND)) {
      throw new IllegalArgumentException("nostr kind must be 0 to " + MAX_NOSTR_KIND);
    }
    approvals = List.copyOf(approvals);
    if (approvals.size() > MAX_APPROVALS) {
      throw new IllegalArgumentException("at most " + MAX_APPROVALS + " approvals");
    }
  }

  public static JobFacts message(String jobId, Digest32 approvalDigest, Instant now) {
    return simple(jobId, JobKind.MESSAGE, approvalDigest, now);
  }

  public static JobFacts digest(String jobId, Digest32 approvalDigest, Instant now) {
    return simple(jobId, JobKind.DIGEST, approvalDigest, now);
  }

  public static JobFacts nostrEvent(
      String jobId, int eventKind, Digest32 approvalDigest, Instant now) {
    return new JobFacts(
        jobId,
        JobKind.NOSTR_EVENT,
        Optional.empty(),
        OptionalInt.of(eventKind),
        approvalDigest,
        List.of(),
        now);
  }

  public static JobFacts psbt(
      String jobId, SpendFacts spend, Digest32 approvalDigest, Instant now) {
    return new JobFacts(
        jobId,
        JobKind.PSBT,
        Optional.of(spend),
        OptionalInt.empty(),
        approvalDigest,
        List.of(),
        now);
  }

  private static JobFacts simple(String jobId, JobKind kind, Digest32 approvalDigest, Instant now) {
    return new JobFacts(
        jobId, kind, Optional.empty(), OptionalInt.empty(), approvalDigest, List.of(), now);
  }

  /** The same job carrying these approvals. */
  public JobFacts withApprovals(List<Approval> approvals) {
    return new JobFacts(jobId, kind, spend, nostrKind, approvalDigest, approvals, now);
  }

  /** The sats this job moves out of the key's control: its external total, 0 for non-PSBT jobs. */
  public long externalSats() {
    return spend.map(SpendFacts::externalTotal).orElse(0L);
  }
}
