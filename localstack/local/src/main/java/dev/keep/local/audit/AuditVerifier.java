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
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.encoding.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
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
 *       within its boot {@code seq} is the last plus one (from 1) and {@code prev} the last's link;
 *   <li>each checkpoint: signed by its boot's audit key, and the receipt at its {@code seq} links to
 *       its {@code head}; a boot whose receipts end before a checkpoint's {@code seq} lost its tail.
 * </ol>
 *
 * <p>It reads the file twice (attestations and checkpoints, then receipts), holding one state per
 * boot and the checkpoints, so memory does not grow with the number of receipts. The first problem
 * stops it and is named: line, boot, seq and what is wrong.
 */
public final class AuditVerifier {
  /** The first problem found, with where. */
  public static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;
    private final int line;

    Failure(int line, String bootId, Long seq, String what) {
      super("line " + line + (bootId == null ? "" : " (boot " + bootId.substring(0, Math.min(12, bootId.length())) + "…"
          + (seq == null ? "" : ", seq " + seq) + ")") + ": " + what, null, false, false);
      this.line = line;
    }

    public int line() {
      return line;
    }
  }

  /** What a verified export holds. */
  public record Summary(int boots, long receipts, Map<String, Long> decisions, int checkpoints, String from, String to) {}

  private record Boot(String auditKey, int line) {}

  private record Mark(String head, int line) {}

  private static final class Chain {
    long seq;
    String link = Receipt.GENESIS;
  }

  private final AttestationVerifier attestations;

  public AuditVerifier(AttestationVerifier attestations) {
    this.attestations = attestations;
  }

  public Summary verify(Path export) throws IOException, Failure {
    Map<String, Boot> boots = new LinkedHashMap<>();
    Map<String, TreeMap<Long, Mark>> checkpoints = new HashMap<>();
    int checkpointCount = 0;
    try (BufferedReader in = Files.newBufferedReader(export, StandardCharsets.UTF_8)) {
      int n = 0;
      for (String text = in.readLine(); text != null; text = in.readLine()) {
        n++;
        ExportLine line = parse(text, n);
        if (line instanceof ExportLine.Attestation a) {
          attest(a, n, boots);
        } else if (line instanceof ExportLine.CheckpointLine c) {
          Checkpoint cp = c.checkpoint();
          Boot boot = boots.get(cp.bootId());
          if (boot == null) {
            throw new Failure(n, cp.bootId(), cp.seq(), "a checkpoint of a boot with no attestation document before it");
          }
          if (!cp.auditKey().equals(boot.auditKey())) {
            throw new Failure(n, cp.bootId(), cp.seq(), "the checkpoint names another audit key than its boot's attestation");
          }
          if (!signatureHolds(boot.auditKey(), cp.signingHash(), c.signature())) {
            throw new Failure(n, cp.bootId(), cp.seq(), "the checkpoint's signature does not verify under the boot's audit key");
          }
          Mark old = checkpoints.computeIfAbsent(cp.bootId(), k -> new TreeMap<>()).put(cp.seq(), new Mark(cp.head(), n));
          if (old != null && !old.head().equals(cp.head())) {
            throw new Failure(n, cp.bootId(), cp.seq(), "two checkpoints of one seq name different heads (line " + old.line() + ")");
          }
          checkpointCount++;
        }
      }
    }
    Map<String, Chain> chains = new HashMap<>();
    Map<String, Long> decisions = new TreeMap<>();
    long receipts = 0;
    String from = null;
    String to = null;
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
          throw new Failure(n, r.bootId(), r.seq(), "a receipt of a boot the export has no attestation document for");
        }
        if (!r.auditKey().equals(boot.auditKey())) {
          throw new Failure(n, r.bootId(), r.seq(), "the receipt names audit key " + r.auditKey().substring(0, 12)
              + "…, not its boot's (" + boot.auditKey().substring(0, 12) + "…, attested at line " + boot.line() + ")");
        }
        if (!signatureHolds(boot.auditKey(), r.signingHash(), line.signature())) {
          throw new Failure(n, r.bootId(), r.seq(), "the signature does not verify: the receipt was altered, or not"
              + " signed by the boot's audit key");
        }
        Chain chain = chains.computeIfAbsent(r.bootId(), k -> new Chain());
        if (r.seq() != chain.seq + 1) {
          throw new Failure(n, r.bootId(), r.seq(), r.seq() <= chain.seq
              ? "seq " + r.seq() + " after seq " + chain.seq + ": receipts out of order, or one given twice"
              : "seq " + (chain.seq + 1) + (r.seq() - chain.seq > 2 ? " to " + (r.seq() - 1) : "")
                  + " missing: the chain has a gap");
        }
        if (!r.prev().equals(chain.link)) {
          throw new Failure(n, r.bootId(), r.seq(), "prev does not link to the receipt before it: the chain is broken");
        }
        chain.seq = r.seq();
        chain.link = r.link();
        Mark mark = checkpoints.getOrDefault(r.bootId(), new TreeMap<>()).get(r.seq());
        if (mark != null && !mark.head().equals(chain.link)) {
          throw new Failure(n, r.bootId(), r.seq(), "the checkpoint at line " + mark.line()
              + " names another head for this seq");
        }
        receipts++;
        decisions.merge(r.decision(), 1L, Long::sum);
        from = from == null || Instant.parse(r.time()).isBefore(Instant.parse(from)) ? r.time() : from;
        to = to == null || Instant.parse(r.time()).isAfter(Instant.parse(to)) ? r.time() : to;
      }
    }
    for (var boot : checkpoints.entrySet()) {
      long last = chains.containsKey(boot.getKey()) ? chains.get(boot.getKey()).seq : 0;
      var latest = boot.getValue().lastEntry();
      if (latest.getKey() > last) {
        throw new Failure(latest.getValue().line(), boot.getKey(), latest.getKey(), "the boot's receipts end at seq "
            + last + ", but this checkpoint says its chain reached seq " + latest.getKey() + ": receipts were removed");
      }
    }
    return new Summary(boots.size(), receipts, decisions, checkpointCount, from, to);
  }

  private void attest(ExportLine.Attestation a, int n, Map<String, Boot> boots) throws Failure {
    byte[] document;
    try {
      document = Base64.getDecoder().decode(a.document());
    } catch (IllegalArgumentException e) {
      throw new Failure(n, a.bootId(), null, "document: not base64");
    }
    if (!Hex.encode(Hashes.sha256(document)).equals(a.bootId())) {
      throw new Failure(n, a.bootId(), null, "the boot id is not the SHA-256 of the document: the document was replaced");
    }
    VerifiedAttestation verified;
    try {
      verified = attestations.verify(document);
    } catch (AttestationException e) {
      throw new Failure(n, a.bootId(), null, "the attestation document does not verify: " + e.getMessage());
    }
    byte[] expected;
    try {
      expected = KeepUserData.of(Hex.decode("auditKey", a.auditKey()), a.policies());
    } catch (IllegalArgumentException e) {
      throw new Failure(n, a.bootId(), null, e.getMessage());
    }
    if (verified.userData().isEmpty() || !java.util.Arrays.equals(expected, verified.userData().get().bytes())) {
      throw new Failure(n, a.bootId(), null, "the document's user_data does not commit to audit key "
          + a.auditKey().substring(0, 12) + "… and the listed policies");
    }
    if (boots.put(a.bootId(), new Boot(a.auditKey(), n)) != null) {
      throw new Failure(n, a.bootId(), null, "a second attestation document for the same boot");
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
      throw new Failure(n, null, null, "not an export line: " + dev.keep.schema.encoding.Echo.of(why, 160));
    }
  }
}
