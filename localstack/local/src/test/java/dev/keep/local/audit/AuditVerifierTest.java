package dev.keep.local.audit;

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
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19's offline verification on exports made by the enclave's own parts (its receipt issuer
 * and audit key, and attestation documents from the software NSM): an intact export verifies, and
 * every way of tampering with it is caught and named at the exact line.
 */
class AuditVerifierTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Signer SIGNER = new Signer(new LibSecp256k1Engine(), RANDOM);
  private static LocalNitroAuthority authority;
  private static final SortedMap<Integer, byte[]> PCRS = new TreeMap<>();
  /** Two boots of one build: 6 receipts and a checkpoint at 4, then 3 receipts and a checkpoint at 3. */
  private static List<String> export;

  @TempDir
  Path dir;

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
    boot(6, 4, attestations, receipts, checkpoints);
    boot(3, 3, attestations, receipts, checkpoints);
    export = new ArrayList<>();
    export.addAll(attestations);
    export.addAll(receipts);
    export.addAll(checkpoints);
  }

  /** One boot: its attestation document, {@code count} receipts, a checkpoint after {@code checkpointAt}. */
  private static void boot(int count, int checkpointAt, List<String> attestations, List<String> receipts,
      List<String> checkpoints) throws Exception {
    try (AuditKey key = AuditKey.generate(SIGNER)) {
      byte[] document = document(key.publicKey().toBytes(), PCRS);
      String bootId = Hex.encode(Hashes.sha256(document));
      attestations.add(Json.write((ExportLine) new ExportLine.Attestation(bootId,
          Base64.getEncoder().encodeToString(document), key.publicKey().toHex(), List.of())));
      ReceiptIssuer issuer = new ReceiptIssuer(key, SIGNER, bootId, Clock.systemUTC(), 1_000, 1_000, Duration.ofMinutes(5));
      for (int i = 1; i <= count; i++) {
        String decision = i % 3 == 0 ? "REJECTED" : i % 3 == 1 ? "SIGNED" : "EVALUATED";
        receipts.add(Json.write((ExportLine) ExportLine.ReceiptLine.of(issuer.issue(new ReceiptIssuer.Decision(
            bootId.substring(0, 8) + "-job-" + i, "t-1", "k-1", "message", "33".repeat(32), decision,
            decision.equals("SIGNED") ? null : "rule-1", decision.equals("SIGNED") ? null : "why", 1L, "44".repeat(32),
            decision.equals("SIGNED") ? "66".repeat(32) : null)))));
        if (i == checkpointAt) {
          checkpoints.add(Json.write((ExportLine) ExportLine.CheckpointLine.of(issuer.checkpoint())));
        }
      }
    }
  }

  private static byte[] document(byte[] auditKey, SortedMap<Integer, byte[]> pcrs) throws Exception {
    LocalNsm nsm = new LocalNsm(authority, "i-0123456789abcdef0-enc0123456789abcdef", pcrs, RANDOM, Clock.systemUTC());
    return new NsmClient(nsm).attestation(KeepUserData.of(auditKey, List.of()), null, null);
  }

  private static AuditVerifier verifier() {
    return new AuditVerifier(AttestationVerifier.builder().trustedRoot(TrustedRoot.local(authority.root()))
        .pcrs(PcrPolicy.anyOf(PcrSet.of(Pcr.of(PCRS.get(0)), Pcr.of(PCRS.get(1)), Pcr.of(PCRS.get(2))))).build());
  }

  private AuditVerifier.Summary verify(List<String> lines) throws Exception {
    Path file = dir.resolve("audit-" + System.nanoTime() + ".jsonl");
    Files.write(file, lines, StandardCharsets.UTF_8);
    return verifier().verify(file);
  }

  private AuditVerifier.Failure refused(List<String> lines) {
    return assertThrows(AuditVerifier.Failure.class, () -> verify(lines));
  }

  /** Lines: 1-2 attestations, 3-8 boot A's receipts (seq 1..6), 9-11 boot B's (1..3), 12-13 checkpoints. */
  private static List<String> copy() {
    return new ArrayList<>(export);
  }

  @Test
  void anIntactExportVerifies_andIsSummed() throws Exception {
    AuditVerifier.Summary summary = verify(export);
    assertEquals(2, summary.boots());
    assertEquals(9, summary.receipts());
    assertEquals(2, summary.checkpoints());
    assertEquals(java.util.Map.of("EVALUATED", 3L, "REJECTED", 3L, "SIGNED", 3L), summary.decisions());
  }

  @Test
  void aDeletedMiddleRecordIsAGap() {
    List<String> lines = copy();
    lines.remove(4); // boot A's seq 3
    AuditVerifier.Failure f = refused(lines);
    assertEquals(5, f.line(), f.getMessage());
    assertTrue(f.getMessage().contains("seq 4") && f.getMessage().contains("seq 3 missing"), f.getMessage());
  }

  @Test
  void aTailDeletedBeforeACheckpointIsCaught() {
    List<String> lines = copy();
    lines.remove(10); // boot B's seq 3; its checkpoint says 3
    lines.remove(9); // and seq 2
    AuditVerifier.Failure f = refused(lines);
    assertEquals(11, f.line(), f.getMessage());
    assertTrue(f.getMessage().contains("end at seq 1") && f.getMessage().contains("reached seq 3"), f.getMessage());
  }

  @Test
  void anEditedFieldBreaksTheSignature() {
    List<String> lines = copy();
    lines.set(3, lines.get(3).replace("\"decision\":\"EVALUATED\"", "\"decision\":\"SIGNED\""));
    AuditVerifier.Failure f = refused(lines);
    assertEquals(4, f.line(), f.getMessage());
    assertTrue(f.getMessage().contains("seq 2") && f.getMessage().contains("signature does not verify"), f.getMessage());
  }

  @Test
  void twoRecordsReorderedAreOutOfOrder() {
    List<String> lines = copy();
    String third = lines.get(4);
    lines.set(4, lines.get(5));
    lines.set(5, third);
    AuditVerifier.Failure f = refused(lines);
    assertEquals(5, f.line(), f.getMessage());
    assertTrue(f.getMessage().contains("seq 3 missing"), f.getMessage());
  }

  @Test
  void aForgedRecordSignedByAnotherKeyIsRefused() throws Exception {
    List<String> lines = copy();
    Receipt real = Json.MAPPER.readValue(lines.get(7), ExportLine.ReceiptLine.class).receipt(); // boot A's seq 6
    try (AuditKey forger = AuditKey.generate(SIGNER)) {
      Receipt next = new Receipt(1, 7, real.link(), real.bootId(), real.time(), "forged-job", "t-1", "k-1", "message",
          "33".repeat(32), "SIGNED", null, null, 1L, "44".repeat(32), "66".repeat(32), real.auditKey());
      lines.add(8, Json.write((ExportLine) new ExportLine.ReceiptLine(next, forger.sign(SIGNER, next.signingHash()).toHex())));
    }
    AuditVerifier.Failure f = refused(lines);
    assertEquals(9, f.line(), f.getMessage());
    assertTrue(f.getMessage().contains("seq 7") && f.getMessage().contains("signature does not verify"), f.getMessage());
  }

  @Test
  void aRecordSwappedInFromAnotherBootIsCaught() {
    List<String> lines = copy();
    lines.set(3, lines.get(9)); // boot A's seq 2 replaced by boot B's seq 2
    AuditVerifier.Failure f = refused(lines);
    assertEquals(4, f.line(), f.getMessage());
  }

  @Test
  void aReplacedAttestationDocumentIsCaught() throws Exception {
    List<String> lines = copy();
    ExportLine.Attestation a = Json.MAPPER.readValue(lines.getFirst(), ExportLine.Attestation.class);
    byte[] other = document(Hex.decode("k", a.auditKey()), PCRS); // same key, a new document
    lines.set(0, Json.write((ExportLine) new ExportLine.Attestation(a.bootId(), Base64.getEncoder().encodeToString(other),
        a.auditKey(), a.policies())));
    AuditVerifier.Failure f = refused(lines);
    assertEquals(1, f.line(), f.getMessage());
    assertTrue(f.getMessage().contains("not the SHA-256 of the document"), f.getMessage());
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
    AuditVerifier.Failure f = refused(lines);
    assertEquals(1, f.line(), f.getMessage());
    assertTrue(f.getMessage().contains("does not verify"), f.getMessage());
  }

  @Test
  void aLineThatIsNotOneIsNamed() {
    List<String> lines = copy();
    lines.set(6, "{\"type\":\"receipt\",\"receipt\":{\"v\":1}}");
    AuditVerifier.Failure f = refused(lines);
    assertEquals(7, f.line(), f.getMessage());
  }
}
