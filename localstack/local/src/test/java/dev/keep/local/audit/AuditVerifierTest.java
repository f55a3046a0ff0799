package dev.keep.local.audit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.attestation.AuditKey;
import dev.keep.enclave.attestation.LocalNitroAuthority;
import dev.keep.enclave.attestation.LocalNsm;
import dev.keep.enclave.audit.ReceiptIssuer;
import dev.keep.enclave.nsm.NsmClient;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.enclave.signing.Signer;
import dev.keep.schema.attestation.AttestationVerifier;
import dev.keep.schema.attestation.KeepUserData;
import dev.keep.schema.attestation.Pcr;
import dev.keep.schema.attestation.PcrPolicy;
import dev.keep.schema.attestation.PcrSet;
import dev.keep.schema.attestation.TrustedRoot;
import dev.keep.schema.audit.Checkpoint;
import dev.keep.schema.audit.ExportLine;
import dev.keep.schema.audit.Hashes;
import dev.keep.schema.audit.Receipt;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.encoding.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19's offline verification on exports made by the enclave's own parts (its receipt issuer
 * and audit key, and attestation documents from the software NSM): an intact export verifies, and
 * every way of tampering with it is caught and named at the exact line. The receipts of one boot
 * form one chain per tenant, so the fixture interleaves two tenants' receipts in one boot.
 */
class AuditVerifierTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Signer SIGNER = new Signer(new LibSecp256k1Engine(), RANDOM);
  private static LocalNitroAuthority authority;
  private static final SortedMap<Integer, byte[]> PCRS = new TreeMap<>();
  /**
   * Two boots of one build (a checkpoint due every 3 receipts of a chain, and every chain's tail
   * checkpointed at the end):
   *
   * <pre>
   *   line  1  attestation of boot A          line 11  B t-1 seq 1
   *   line  2  attestation of boot B          line 12  B t-1 seq 2
   *   line  3  A t-1 seq 1 (job 1, SIGNED)    line 13  B t-1 seq 3
   *   line  4  A t-2 seq 1                    line 14  checkpoint A t-1 at 3
   *   line  5  A t-1 seq 2                    line 15  checkpoint A t-2 at 3
   *   line  6  A t-2 seq 2                    line 16  checkpoint A t-1 at 5
   *   line  7  A t-1 seq 3                    line 17  checkpoint B t-1 at 3
   *   line  8  A t-2 seq 3
   *   line  9  A t-1 seq 4
   *   line 10  A t-1 seq 5 (job 1 decided again, REJECTED)
   * </pre>
   */
  private static List<String> export;

  @TempDir
  Path dir;

  /** One decision: the job's tenant, its number within the boot, and the decision. */
  private record Step(String tenant, int job, String decision) {}

  @BeforeAll
  static void makeAnExport() throws Exception {
    authority = LocalNitroAuthority.generate(RANDOM, java.time.Instant.now());
    for (int i = 0; i < 3; i++) {
      byte[] pcr = new byte[Pcr.LENGTH];
      java.util.Arrays.fill(pcr, (byte) (i + 1));
      PCRS.put(i, pcr);
    }
    List<String> attestations = new ArrayList<>();
    List<String> receipts = new ArrayList<>();
    List<String> checkpoints = new ArrayList<>();
    boot(List.of(new Step("t-1", 1, "SIGNED"), new Step("t-2", 2, "EVALUATED"), new Step("t-1", 3, "REJECTED"),
        new Step("t-2", 4, "SIGNED"), new Step("t-1", 5, "EVALUATED"), new Step("t-2", 6, "REJECTED"),
        new Step("t-1", 7, "SIGNED"), new Step("t-1", 1, "REJECTED")), attestations, receipts, checkpoints);
    boot(List.of(new Step("t-1", 1, "SIGNED"), new Step("t-1", 2, "EVALUATED"), new Step("t-1", 3, "REJECTED")),
        attestations, receipts, checkpoints);
    export = new ArrayList<>();
    export.addAll(attestations);
    export.addAll(receipts);
    export.addAll(checkpoints);
    assertEquals(17, export.size(), "the fixture the tests' line numbers assume");
  }

  /** One boot: its attestation document, a receipt per step, the checkpoints due, then every tail's. */
  private static void boot(List<Step> steps, List<String> attestations, List<String> receipts,
      List<String> checkpoints) throws Exception {
    try (AuditKey key = AuditKey.generate(SIGNER)) {
      byte[] document = document(key.publicKey().toBytes(), PCRS);
      String bootId = Hex.encode(Hashes.sha256(document));
      attestations.add(Json.write((ExportLine) new ExportLine.Attestation(bootId,
          Base64.getEncoder().encodeToString(document), key.publicKey().toHex(), List.of())));
      ReceiptIssuer issuer = new ReceiptIssuer(key, SIGNER, bootId, Clock.systemUTC(), 1_000, 3, Duration.ofMinutes(5));
      for (Step step : steps) {
        boolean signed = step.decision().equals("SIGNED");
        receipts.add(Json.write((ExportLine) ExportLine.ReceiptLine.of(issuer.issue(new ReceiptIssuer.Decision(
            bootId.substring(0, 8) + "-job-" + step.job(), step.tenant(), "k-1", "message", "33".repeat(32),
            step.decision(), signed ? null : "rule-1", signed ? null : "why", 1L, "44".repeat(32),
            signed ? "66".repeat(32) : null)))));
        for (Checkpoint.Signed due : issuer.dueCheckpoints()) {
          checkpoints.add(Json.write((ExportLine) ExportLine.CheckpointLine.of(due)));
        }
      }
      for (Checkpoint.Signed tail : issuer.checkpointAll()) {
        checkpoints.add(Json.write((ExportLine) ExportLine.CheckpointLine.of(tail)));
      }
    }
  }

  private static byte[] document(byte[] auditKey, SortedMap<Integer, byte[]> pcrs) throws Exception {
    LocalNsm nsm = new LocalNsm(authority, "i-0123456789abcdef0-enc0123456789abcdef", pcrs, RANDOM, Clock.systemUTC());
    return new NsmClient(nsm).attestation(KeepUserData.of(auditKey, List.of()), null, null);
  }

  private AuditVerifier.Summary verify(List<String> lines) throws Exception {
    return verify(lines, AuditVerifier.Mode.STRICT);
  }

  private AuditVerifier.Summary verify(List<String> lines, AuditVerifier.Mode mode) throws Exception {
    Path file = dir.resolve("audit-" + System.nanoTime() + ".jsonl");
    Files.write(file, lines, StandardCharsets.UTF_8);
    return verifier(mode).verify(file);
  }

  private static AuditVerifier verifier(AuditVerifier.Mode mode) {
    return new AuditVerifier(AttestationVerifier.builder().trustedRoot(TrustedRoot.local(authority.root()))
        .pcrs(PcrPolicy.anyOf(PcrSet.of(Pcr.of(PCRS.get(0)), Pcr.of(PCRS.get(1)), Pcr.of(PCRS.get(2))))).build(), mode);
  }

  private AuditVerifier.Failure refused(List<String> lines) {
    return refused(lines, AuditVerifier.Mode.STRICT);
  }

  private AuditVerifier.Failure refused(List<String> lines, AuditVerifier.Mode mode) {
    return assertThrows(AuditVerifier.Failure.class, () -> verify(lines, mode));
  }

  /** The export (see {@link #export} for its lines): index i is line i + 1. */
  private static List<String> copy() {
    return new ArrayList<>(export);
  }

  private static void assertNames(AuditVerifier.Failure f, int line, String... parts) {
    assertEquals(line, f.line(), f.getMessage());
    assertTrue(f.getMessage().matches("line " + line + "[ :].*"), f.getMessage());
    for (String part : parts) {
      assertTrue(f.getMessage().contains(part), "'" + part + "' in: " + f.getMessage());
    }
  }

  @Test
  void anIntactExportVerifies_andIsSummed() throws Exception {
    AuditVerifier.Summary summary = verify(export);
    assertEquals(2, summary.boots());
    assertEquals(3, summary.chains(), "A t-1, A t-2, B t-1");
    assertEquals(2, summary.tenants());
    assertEquals(11, summary.receipts());
    assertEquals(4, summary.checkpoints());
    assertEquals(1, summary.decidedAgain(), "boot A's job 1, SIGNED and then REJECTED");
    assertEquals(0, summary.partialChains());
    assertEquals(0, summary.earlierCheckpoints());
    assertEquals(Map.of("EVALUATED", 3L, "REJECTED", 4L, "SIGNED", 4L), summary.decisions());
    assertTrue(summary.from().compareTo(summary.to()) < 0, summary.from() + " to " + summary.to());
  }

  @Test
  void twoTenantsReceiptsInAnotherOrderStillVerify() throws Exception {
    // Each tenant's chain is checked on its own: how the export interleaves them does not matter.
    List<String> lines = new ArrayList<>();
    // A t-1 seq 1, 2, t-2 seq 1, t-1 seq 3, 4, 5, t-2 seq 2, 3; then boot B and the checkpoints.
    for (int i : new int[] {0, 1, 2, 4, 3, 6, 8, 9, 5, 7, 10, 11, 12, 13, 14, 15, 16}) {
      lines.add(export.get(i));
    }
    assertEquals(11, verify(lines).receipts());
    // And the checkpoints may come before the receipts (after the attestations they are checked
    // against): the verifier reads them in a pass of their own.
    List<String> checkpointsFirst = new ArrayList<>(lines.subList(0, 2));
    checkpointsFirst.addAll(lines.subList(13, 17));
    checkpointsFirst.addAll(lines.subList(2, 13));
    lines = checkpointsFirst;
    assertEquals(4, verify(lines).checkpoints());
  }

  @Test
  void aDeletedMiddleRecordIsAGap() {
    List<String> lines = copy();
    lines.remove(4); // A t-1 seq 2; A t-2 seq 2 on line 5 still links
    assertNames(refused(lines), 6, "tenant t-1, seq 3)", "seq 2 missing");
  }

  @Test
  void aDeletedFirstRecordIsAChainStartingLate() {
    List<String> lines = copy();
    lines.remove(3); // A t-2 seq 1
    assertNames(refused(lines), 5, "tenant t-2, seq 2)", "starts at seq 2", "seq 1 missing");
  }

  @Test
  void aTailDeletedBeforeACheckpointIsCaught() {
    List<String> lines = copy();
    lines.remove(9); // A t-1 seq 5, job 1 decided again; its checkpoint (line 16, now 15) says 5
    assertNames(refused(lines), 15, "tenant t-1, seq 5)", "end at seq 4", "reached seq 5", "seq 5 removed");

    lines = copy();
    lines.remove(12); // B t-1 seq 3; its checkpoint (line 17, now 15) says 3
    lines.remove(11); // and seq 2
    assertNames(refused(lines), 15, "tenant t-1, seq 3)", "end at seq 1", "reached seq 3", "seq 2 to 3 removed");

    lines = copy();
    lines.removeIf(l -> l.contains("\"tenant\":\"t-2\"") && l.contains("\"type\":\"receipt\""));
    assertNames(refused(lines), 12, "tenant t-2, seq 3)", "no receipt of this chain", "seq 1 to 3 removed");
  }

  @Test
  void anEditedFieldBreaksTheSignature() {
    List<String> lines = copy();
    lines.set(5, lines.get(5).replace("\"decision\":\"SIGNED\"", "\"decision\":\"REJECTED\""));
    assertNames(refused(lines), 6, "tenant t-2, seq 2)", "signature does not verify");
  }

  @Test
  void anEditedTenantBreaksTheSignature() {
    // Moving a receipt into another tenant's chain by renaming its tenant is an edit like any other.
    List<String> lines = copy();
    lines.set(5, lines.get(5).replace("\"tenant\":\"t-2\"", "\"tenant\":\"t-1\""));
    assertNames(refused(lines), 6, "tenant t-1, seq 2)", "signature does not verify");
  }

  @Test
  void twoRecordsReorderedAreOutOfOrder() {
    List<String> lines = copy();
    Collections.swap(lines, 4, 6); // A t-1 seq 2 and seq 3
    assertNames(refused(lines), 5, "tenant t-1, seq 3)", "seq 2 missing");
  }

  @Test
  void aRecordGivenTwiceIsNamed() {
    List<String> lines = copy();
    lines.add(8, lines.get(6)); // A t-1 seq 3 again, after A t-2 seq 3
    assertNames(refused(lines), 9, "tenant t-1, seq 3)", "seq 3 after seq 3", "given twice");
  }

  @Test
  void aForgedRecordSignedByAnotherKeyIsRefused() throws Exception {
    List<String> lines = copy();
    Receipt real = Json.MAPPER.readValue(lines.get(9), ExportLine.ReceiptLine.class).receipt(); // A t-1 seq 5
    try (AuditKey forger = AuditKey.generate(SIGNER)) {
      Receipt next = new Receipt(1, 6, real.link(), real.bootId(), real.time(), "forged-job", "t-1", "k-1", "message",
          "33".repeat(32), "SIGNED", null, null, 1L, "44".repeat(32), "66".repeat(32), real.auditKey());
      lines.add(10, Json.write((ExportLine) new ExportLine.ReceiptLine(next, forger.sign(SIGNER, next.signingHash()).toHex())));
    }
    assertNames(refused(lines), 11, "tenant t-1, seq 6)", "signature does not verify");
  }

  @Test
  void aRecordSwappedInFromAnotherBootIsCaught() throws Exception {
    List<String> lines = copy();
    lines.set(4, lines.get(11)); // A t-1 seq 2 replaced by B t-1 seq 2
    String bootB = Json.MAPPER.readValue(lines.get(1), ExportLine.Attestation.class).bootId();
    assertNames(refused(lines), 5, "(boot " + bootB.substring(0, 12) + "…, tenant t-1, seq 2)", "starts at seq 2");
  }

  @Test
  void aReceiptOfTenantT2InTenantT1sPlaceIsCaught() {
    // Tenant t-1's own export (its receipts and checkpoints only, as its auditor gets it), with its
    // seq 2 replaced by t-2's: a receipt that is genuine, of the same boot, with the same seq.
    List<String> t1 = new ArrayList<>(copy().stream()
        .filter(l -> l.contains("\"type\":\"attestation\"") || l.contains("\"tenant\":\"t-1\"")).toList());
    assertEquals(2 + 8 + 3, t1.size());
    assertEquals(8, assertDoesNotThrow(() -> verify(t1)).receipts());
    t1.set(3, export.get(5)); // line 4: A t-1 seq 2 replaced by A t-2 seq 2
    assertNames(refused(t1), 4, "tenant t-2, seq 2)", "starts at seq 2");
    // Even where a chain may start late, t-1's own chain then has a gap.
    assertNames(refused(t1, AuditVerifier.Mode.PARTIAL), 5, "tenant t-1, seq 3)", "seq 2 missing");
  }

  @Test
  void partialModeAcceptsAChainStartingAfterSeq1_strictModeNamesIt() throws Exception {
    // A time range from A t-1 seq 4 on: A t-1 starts at 4, A t-2 has no receipt in it, all of B.
    List<String> range = new ArrayList<>(copy().subList(0, 2));
    range.addAll(copy().subList(8, 17));
    assertNames(refused(range), 3, "tenant t-1, seq 4)", "starts at seq 4", "seq 1 to 3 missing");

    AuditVerifier.Summary summary = verify(range, AuditVerifier.Mode.PARTIAL);
    assertEquals(5, summary.receipts());
    assertEquals(2, summary.chains());
    assertEquals(1, summary.tenants());
    assertEquals(1, summary.partialChains(), "A t-1");
    assertEquals(4, summary.checkpoints());
    assertEquals(1, summary.earlierCheckpoints(), "A t-2 at 3 (A t-1 at 3 is matched against seq 4's prev)");
    assertEquals(0, summary.decidedAgain(), "job 1's first receipt is before the range");

    // From its first receipt on, a partial chain is checked as a whole one: a gap, a tail removed.
    // (Range lines: 1-2 attestations, 3-4 A t-1 seq 4-5, 5-7 B t-1 seq 1-3, 8-11 the checkpoints.)
    List<String> gap = new ArrayList<>(range);
    gap.remove(5); // B t-1 seq 2
    assertNames(refused(gap, AuditVerifier.Mode.PARTIAL), 6, "tenant t-1, seq 3)", "seq 2 missing");
    List<String> tail = new ArrayList<>(range);
    tail.remove(3); // A t-1 seq 5; its checkpoint (line 10, now 9) says 5
    assertNames(refused(tail, AuditVerifier.Mode.PARTIAL), 9, "tenant t-1, seq 5)", "end at seq 4", "reached seq 5");
  }

  @Test
  void aReplacedAttestationDocumentIsCaught() throws Exception {
    List<String> lines = copy();
    ExportLine.Attestation a = Json.MAPPER.readValue(lines.getFirst(), ExportLine.Attestation.class);
    byte[] other = document(Hex.decode("k", a.auditKey()), PCRS); // same key, a new document
    lines.set(0, Json.write((ExportLine) new ExportLine.Attestation(a.bootId(), Base64.getEncoder().encodeToString(other),
        a.auditKey(), a.policies())));
    assertNames(refused(lines), 1, "not the SHA-256 of the document");
  }

  @Test
  void anotherBuildsPcrsAreRefused() throws Exception {
    List<String> lines = copy();
    SortedMap<Integer, byte[]> otherBuild = new TreeMap<>(PCRS);
    otherBuild.put(0, new byte[Pcr.LENGTH]);
    otherBuild.get(0)[0] = 9;
    ExportLine.Attestation a = Json.MAPPER.readValue(lines.getFirst(), ExportLine.Attestation.class);
    byte[] other = document(Hex.decode("k", a.auditKey()), otherBuild);
    lines.set(0, Json.write((ExportLine) new ExportLine.Attestation(Hex.encode(Hashes.sha256(other)),
        Base64.getEncoder().encodeToString(other), a.auditKey(), a.policies())));
    assertNames(refused(lines), 1, "attestation document does not verify");
  }

  @Test
  void aLineThatIsNotOneIsNamed() {
    List<String> lines = copy();
    lines.set(6, "{\"type\":\"receipt\",\"receipt\":{\"v\":1}}");
    assertNames(refused(lines), 7, "not an export line");
  }
}
