package dev.keep.local.audit;

import dev.keep.local.verify.Bip340Verifier;
import dev.keep.schema.attestation.AttestationException;
import dev.keep.schema.attestation.AttestationVerifier;
import dev.keep.schema.attestation.KeepUserData;
import dev.keep.schema.attestation.VerifiedAttestation;
import dev.keep.schema.audit.Checkpoint;
import dev.keep.schema.audit.ExportLine;
import dev.keep.schema.audit.Hashes;
import dev.keep.schema.audit.Receipt;
import dev.keep.schema.encoding.Echo;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.encoding.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Verifies an audit export (JSON Lines of {@link ExportLine}) with no network and no Keep service
 * (issue 19's offline verification):
 *
 * <ol>
 *   <li>each attestation document: its chain to the trusted root, its PCRs, that its SHA-256 is the
 *       boot id the export gives it, and that its {@code user_data} commits to the boot's audit key
 *       and policies ({@link KeepUserData});
 *   <li>each receipt: its boot is attested, its {@code auditKey} is that boot's, its BIP-340
 *       signature over {@code TaggedHash("KEEP/receipt/v1", JCS(receipt))} holds (checked with
 *       {@link Bip340Verifier}, written on BouncyCastle apart from the enclave's libsecp256k1), and
 *       within its chain {@code seq} is the last plus one and {@code prev} the last's link. A chain is
 *       one tenant's receipts of one boot (the enclave keeps one per (boot, tenant), so that a
 *       tenant's export is a complete chain without anyone else's jobs);
 *   <li>each checkpoint: signed by its boot's audit key, and the receipt at its {@code seq} in its
 *       (boot, tenant) chain links to its {@code head}; a chain whose receipts end before a
 *       checkpoint's {@code seq} lost its tail.
 * </ol>
 *
 * <p><b>Whole or partial.</b> {@link Mode#STRICT} (the default) is for an export of everything: each
 * chain starts at seq 1 with {@code prev} = {@link Receipt#GENESIS}, so nothing before its first
 * receipt can be missing. {@link Mode#PARTIAL} is for an export of a time range, which may begin
 * inside a chain: a chain's first receipt may have a seq above 1 and its {@code prev} is taken as
 * given (checked only against a checkpoint at the seq before it, if the export has one), and every
 * link from it on is checked as in strict mode. A checkpoint below a chain's first exported seq
 * (but for the one just before it) speaks of receipts before the range, so it is only
 * signature-checked. What partial mode cannot
 * see is receipts dropped from the very start of a chain's part of the range; the summary counts
 * the chains that start after seq 1 so an auditor knows how many such starts were taken on trust.
 *
 * <p><b>Memory.</b> It reads the file twice (attestations and checkpoints, then receipts), holding
 * one state per boot and per chain, the checkpoints, and the set of job ids seen (to count jobs
 * decided again: some 150 bytes per job, a few megabytes for 10,000s of jobs, some 150 MB for a
 * million). Nothing else grows with the number of receipts. The first problem stops it and is named: line, boot, tenant
 * (where a chain is meant), seq and what is wrong.
 */
public final class AuditVerifier {
  /** Whether the export must hold every chain from its start ({@code STRICT}) or may begin inside one. */
  public enum Mode {
    /** Every chain starts at seq 1 with {@code prev} = {@link Receipt#GENESIS}: an export of everything. */
    STRICT,
    /** A chain may start after seq 1 (an export of a time range); links are checked from its first receipt on. */
    PARTIAL
  }

  /** The first problem found, with where. */
  public static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;
    private final int line;

    Failure(int line, String bootId, String tenant, Long seq, String what) {
      super("line " + line + where(bootId, tenant, seq) + ": " + what, null, false, false);
      this.line = line;
    }

    /** " (boot 1a2b3c…, tenant t-1, seq 5)": what the export says, echoed safely (it may be anything). */
    private static String where(String bootId, String tenant, Long seq) {
      if (bootId == null) {
        return "";
      }
      return " (boot " + Echo.of(bootId.substring(0, Math.min(12, bootId.length()))) + "…"
          + (tenant == null ? "" : ", tenant " + Echo.of(tenant))
          + (seq == null ? "" : ", seq " + seq) + ")";
    }

    public int line() {
      return line;
    }
  }

  /**
   * What a verified export holds.
   *
   * @param boots attested boots
   * @param chains (boot, tenant) chains with at least one receipt
   * @param tenants tenants with at least one receipt
   * @param decisions receipts by decision ({@code SIGNED}, {@code REJECTED}, {@code EVALUATED})
   * @param jobs distinct jobs with a receipt
   * @param decidedAgain jobs with more than one receipt: legitimate (a job decided again after a fleet
   *     conflict, or on another boot, gets a new receipt), but what an auditor should look at
   * @param checkpoints checkpoint lines, all signature-checked
   * @param partialChains chains whose first receipt in the export is after seq 1 (only in partial mode)
   * @param earlierCheckpoints of {@code checkpoints}, those about receipts before their chain's first
   *     in the export, only signature-checked (only in partial mode; one of the seq just before a
   *     chain's first is not counted: it is matched against that receipt's prev)
   * @param from the earliest receipt time, or null with no receipts
   * @param to the latest receipt time, or null with no receipts
   */
  public record Summary(int boots, int chains, int tenants, long receipts, Map<String, Long> decisions, long jobs,
      long decidedAgain, int checkpoints, int partialChains, int earlierCheckpoints, String from, String to) {}

  private record Boot(String auditKey, int line) {}

  /** One chain: a tenant's receipts of one boot. */
  private record ChainId(String bootId, String tenant) {}

  private record Mark(String head, int line) {}

  private static final class Chain {
    /** The seq of the chain's first receipt in the export: 1, or more in partial mode. */
    final long first;
    long seq;
    String link;

    Chain(long first, String prev) {
      this.first = first;
      this.seq = first - 1;
      this.link = prev;
    }
  }

  private final AttestationVerifier attestations;
  private final Mode mode;

  /** A verifier of whole exports ({@link Mode#STRICT}). */
  public AuditVerifier(AttestationVerifier attestations) {
    this(attestations, Mode.STRICT);
  }

  public AuditVerifier(AttestationVerifier attestations, Mode mode) {
    this.attestations = attestations;
    this.mode = Objects.requireNonNull(mode, "mode");
  }

  public Summary verify(Path export) throws IOException, Failure {
    Map<String, Boot> boots = new LinkedHashMap<>();
    // In file order of each chain's first checkpoint, so the tail check below names the same
    // chain on every run.
    Map<ChainId, NavigableMap<Long, Mark>> checkpoints = new LinkedHashMap<>();
    int checkpointCount = 0;
    try (BufferedReader in = Files.newBufferedReader(export, StandardCharsets.UTF_8)) {
      int n = 0;
      for (String text = in.readLine(); text != null; text = in.readLine()) {
        n++;
        ExportLine line = parse(text, n);
        if (line instanceof ExportLine.Attestation a) {
          attest(a, n, boots);
        } else if (line instanceof ExportLine.CheckpointLine c) {
          checkpoint(c, n, boots, checkpoints);
          checkpointCount++;
        }
      }
    }
    Map<ChainId, Chain> chains = new HashMap<>();
    Set<String> tenants = new HashSet<>();
    Map<String, Long> decisions = new TreeMap<>();
    // Job ids are UUIDs Keep issues, unique across tenants: one entry per job, the only state that
    // grows with the export (see the class comment).
    Set<String> jobs = new HashSet<>();
    Set<String> decidedAgain = new HashSet<>();
    long receipts = 0;
    int partialChains = 0;
    Instant from = null;
    Instant to = null;
    try (BufferedReader in = Files.newBufferedReader(export, StandardCharsets.UTF_8)) {
      int n = 0;
      for (String text = in.readLine(); text != null; text = in.readLine()) {
        n++;
        if (!(parse(text, n) instanceof ExportLine.ReceiptLine line)) {
          continue;
        }
        Receipt r = line.receipt();
        Boot boot = boots.get(r.bootId());
        if (boot == null) {
          throw new Failure(n, r.bootId(), r.tenant(), r.seq(),
              "a receipt of a boot the export has no attestation document for");
        }
        if (!r.auditKey().equals(boot.auditKey())) {
          throw new Failure(n, r.bootId(), r.tenant(), r.seq(), "the receipt names audit key "
              + r.auditKey().substring(0, 12) + "…, not its boot's (" + boot.auditKey().substring(0, 12)
              + "…, attested at line " + boot.line() + ")");
        }
        if (!signatureHolds(boot.auditKey(), r.signingHash(), line.signature())) {
          throw new Failure(n, r.bootId(), r.tenant(), r.seq(), "the signature does not verify: the receipt was"
              + " altered, or not signed by the boot's audit key");
        }
        Instant time;
        try {
          time = Instant.parse(r.time());
        } catch (DateTimeParseException e) {
          throw new Failure(n, r.bootId(), r.tenant(), r.seq(), "time: not an ISO-8601 instant");
        }
        ChainId id = new ChainId(r.bootId(), r.tenant());
        NavigableMap<Long, Mark> marks = checkpoints.getOrDefault(id, Collections.emptyNavigableMap());
        Chain chain = chains.get(id);
        if (chain == null) {
          chain = start(r, n, marks);
          chains.put(id, chain);
          partialChains += chain.first > 1 ? 1 : 0;
        }
        if (r.seq() != chain.seq + 1) {
          throw new Failure(n, r.bootId(), r.tenant(), r.seq(), r.seq() <= chain.seq
              ? "seq " + r.seq() + " after seq " + chain.seq + " of the same chain: receipts out of order, or one"
                  + " given twice"
              : missing(chain.seq + 1, r.seq() - 1) + ": the chain has a gap");
        }
        if (!r.prev().equals(chain.link)) {
          throw new Failure(n, r.bootId(), r.tenant(), r.seq(),
              "prev does not link to the receipt before it in the chain: the chain is broken");
        }
        chain.seq = r.seq();
        chain.link = r.link();
        Mark mark = marks.get(r.seq());
        if (mark != null && !mark.head().equals(chain.link)) {
          throw new Failure(n, r.bootId(), r.tenant(), r.seq(), "the checkpoint at line " + mark.line()
              + " names another head for this seq");
        }
        receipts++;
        tenants.add(r.tenant());
        decisions.merge(r.decision(), 1L, Long::sum);
        if (!jobs.add(r.jobId())) {
          decidedAgain.add(r.jobId());
        }
        from = from == null || time.isBefore(from) ? time : from;
        to = to == null || time.isAfter(to) ? time : to;
      }
    }
    int earlier = 0;
    for (var entry : checkpoints.entrySet()) {
      ChainId id = entry.getKey();
      Chain chain = chains.get(id);
      NavigableMap<Long, Mark> marks = entry.getValue();
      if (mode == Mode.PARTIAL && (chain == null || chain.first > 1)) {
        // About receipts before the range: the export cannot hold them, so nothing to match (but
        // the one of the seq just before the chain's first, matched against its prev in start()).
        earlier += chain == null ? marks.size() : marks.headMap(chain.first - 1).size();
        if (chain == null) {
          continue;
        }
      }
      long last = chain == null ? 0 : chain.seq;
      var latest = marks.lastEntry();
      if (latest.getKey() > last) {
        throw new Failure(latest.getValue().line(), id.bootId(), id.tenant(), latest.getKey(),
            (chain == null ? "the export has no receipt of this chain" : "the chain's receipts end at seq " + last)
                + ", but this checkpoint says it reached seq " + latest.getKey() + ": "
                + seqs(last + 1, latest.getKey()) + " removed");
      }
    }
    return new Summary(boots.size(), chains.size(), tenants.size(), receipts, decisions, jobs.size(), decidedAgain.size(),
        checkpointCount, partialChains, earlier, from == null ? null : from.toString(),
        to == null ? null : to.toString());
  }

  /** The state of the chain {@code r} is the first exported receipt of, after the rules of the mode. */
  private Chain start(Receipt r, int n, NavigableMap<Long, Mark> marks) throws Failure {
    if (r.seq() == 1 && !r.prev().equals(Receipt.GENESIS)) {
      throw new Failure(n, r.bootId(), r.tenant(), r.seq(),
          "a chain's first receipt (seq 1) must have prev = 64 zeros: the chain is broken");
    }
    if (r.seq() > 1 && mode == Mode.STRICT) {
      throw new Failure(n, r.bootId(), r.tenant(), r.seq(), "the chain starts at seq " + r.seq() + ": "
          + missing(1, r.seq() - 1) + " (an export of a time range may start inside a chain: verify it as"
          + " partial)");
    }
    // The one thing that can check a partial chain's given prev: a checkpoint of the seq before it.
    Mark before = marks.get(r.seq() - 1);
    if (before != null && !before.head().equals(r.prev())) {
      throw new Failure(n, r.bootId(), r.tenant(), r.seq(), "prev is not the head the checkpoint at line "
          + before.line() + " names for seq " + (r.seq() - 1) + ": the chain is broken");
    }
    return new Chain(r.seq(), r.prev());
  }

  /** "seq 3 missing", or "seq 3 to 5 missing". */
  private static String missing(long from, long to) {
    return seqs(from, to) + " missing";
  }

  /** "seq 3", or "seq 3 to 5". */
  private static String seqs(long from, long to) {
    return "seq " + from + (to > from ? " to " + to : "");
  }

  private static void checkpoint(ExportLine.CheckpointLine c, int n, Map<String, Boot> boots,
      Map<ChainId, NavigableMap<Long, Mark>> checkpoints) throws Failure {
    Checkpoint cp = c.checkpoint();
    Boot boot = boots.get(cp.bootId());
    if (boot == null) {
      throw new Failure(n, cp.bootId(), cp.tenant(), cp.seq(),
          "a checkpoint of a boot with no attestation document before it");
    }
    if (!cp.auditKey().equals(boot.auditKey())) {
      throw new Failure(n, cp.bootId(), cp.tenant(), cp.seq(),
          "the checkpoint names another audit key than its boot's attestation");
    }
    if (!signatureHolds(boot.auditKey(), cp.signingHash(), c.signature())) {
      throw new Failure(n, cp.bootId(), cp.tenant(), cp.seq(),
          "the checkpoint's signature does not verify under the boot's audit key");
    }
    if (cp.seq() == 0 && !cp.head().equals(Receipt.GENESIS)) {
      throw new Failure(n, cp.bootId(), cp.tenant(), cp.seq(), "a checkpoint of seq 0 must name head = 64 zeros");
    }
    Mark old = checkpoints.computeIfAbsent(new ChainId(cp.bootId(), cp.tenant()), k -> new TreeMap<>())
        .put(cp.seq(), new Mark(cp.head(), n));
    if (old != null && !old.head().equals(cp.head())) {
      throw new Failure(n, cp.bootId(), cp.tenant(), cp.seq(),
          "two checkpoints of one seq name different heads (line " + old.line() + ")");
    }
  }

  private void attest(ExportLine.Attestation a, int n, Map<String, Boot> boots) throws Failure {
    byte[] document;
    try {
      document = Base64.getDecoder().decode(a.document());
    } catch (IllegalArgumentException e) {
      throw new Failure(n, a.bootId(), null, null, "document: not base64");
    }
    if (!Hex.encode(Hashes.sha256(document)).equals(a.bootId())) {
      throw new Failure(n, a.bootId(), null, null,
          "the boot id is not the SHA-256 of the document: the document was replaced");
    }
    VerifiedAttestation verified;
    try {
      verified = attestations.verify(document);
    } catch (AttestationException e) {
      throw new Failure(n, a.bootId(), null, null, "the attestation document does not verify: " + e.getMessage());
    }
    byte[] expected;
    try {
      expected = KeepUserData.of(Hex.decode("auditKey", a.auditKey()), a.policies());
    } catch (IllegalArgumentException e) {
      throw new Failure(n, a.bootId(), null, null, e.getMessage());
    }
    if (verified.userData().isEmpty() || !Arrays.equals(expected, verified.userData().get().bytes())) {
      throw new Failure(n, a.bootId(), null, null, "the document's user_data does not commit to audit key "
          + a.auditKey().substring(0, 12) + "… and the listed policies");
    }
    if (boots.put(a.bootId(), new Boot(a.auditKey(), n)) != null) {
      throw new Failure(n, a.bootId(), null, null, "a second attestation document for the same boot");
    }
  }

  private static boolean signatureHolds(String auditKey, byte[] hash, String signature) {
    if (!Hex.isHex(signature, 64) || !Hex.isHex(auditKey, 32)) {
      return false;
    }
    return Bip340Verifier.verify(Hex.decode("auditKey", auditKey), hash, Hex.decode("signature", signature));
  }

  private static ExportLine parse(String text, int n) throws Failure {
    try {
      return Json.MAPPER.readValue(text, ExportLine.class);
    } catch (IOException | IllegalArgumentException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
      throw new Failure(n, null, null, null, "not an export line: " + Echo.of(why, 160));
    }
  }
}
