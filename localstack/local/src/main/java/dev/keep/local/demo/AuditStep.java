package dev.keep.local.demo;

import dev.keep.local.audit.AuditVerifier;
import dev.keep.local.cli.AuditExportCli;
import dev.keep.local.stack.LocalStack;
import dev.keep.schema.attestation.AttestationVerifier;
import dev.keep.schema.attestation.Pcr;
import dev.keep.schema.attestation.PcrPolicy;
import dev.keep.schema.attestation.PcrSet;
import dev.keep.schema.attestation.TrustedRoot;
import dev.keep.schema.audit.ExportLine;
import dev.keep.schema.encoding.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's audit step (issue 19), as an auditor would take it: with an auditor's API key (read
 * only: its POST is refused), export the tenant's audit log through the API once every chain's last
 * receipt is under a checkpoint, verify it offline against the local attestation root and this
 * build's PCRs, and show that a receipt taken out of the middle is caught.
 */
public final class AuditStep {
  /** What the step found. */
  public record Result(int forbiddenStatus, Path export, long lines, int slices, AuditVerifier.Summary summary,
      Duration exportTook, Duration verifyTook, String tamperCaught, Duration waitedForCheckpoints) {
    public boolean passed() {
      return forbiddenStatus == 403 && summary != null && tamperCaught != null;
    }
  }

  private AuditStep() {}

  static Result run(LocalStack stack, String tenant, Instant deadline) throws Exception {
    String auditorKey = dev.keep.api.auth.ApiKeys.generate("keep_audit_");
    stack.createAuditorKey(tenant, auditorKey);
    JobsClient auditor = new JobsClient(stack.apiUrl(), auditorKey);
    int forbidden = auditor.post("/v1/jobs", "{\"keyId\":\"any\",\"kind\":\"message\",\"message\":\"00\"}").status();

    Path dir = Files.createDirectories(stack.runDirectory().resolve("audit"));
    Path export = dir.resolve("audit.jsonl");
    AuditExportCli exporter = new AuditExportCli(System.out);
    Instant waitStart = Instant.now();
    AuditExportCli.Result fetched;
    Duration exportTook;
    while (true) {
      Instant t0 = Instant.now();
      fetched = exporter.export(stack.apiUrl(), auditorKey, null, null, export);
      exportTook = Duration.between(t0, Instant.now());
      // Done when every chain's last receipt is covered by a checkpoint: what a host could still
      // drop unseen is then nothing. Checkpoints come 5 s after a chain's last receipt locally.
      if (tailsCheckpointed(export)) {
        break;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("the audit chains' tails were not checkpointed in time");
      }
      Thread.sleep(500); // polling the export for the enclave's next checkpoint
    }
    Duration waited = Duration.between(waitStart, Instant.now());

    AttestationVerifier attestations = AttestationVerifier.builder()
        .trustedRoot(TrustedRoot.local(Files.readAllBytes(stack.attestationRootPem())))
        .pcrs(PcrPolicy.anyOf(PcrSet.of(Pcr.of(stack.enclavePcrs().get(0)), Pcr.of(stack.enclavePcrs().get(1)),
            Pcr.of(stack.enclavePcrs().get(2)))))
        .build();
    AuditVerifier verifier = new AuditVerifier(attestations, AuditVerifier.Mode.STRICT);
    Instant v0 = Instant.now();
    AuditVerifier.Summary summary = verifier.verify(export);
    Duration verifyTook = Duration.between(v0, Instant.now());

    // A host that deletes one receipt from the middle of a chain.
    List<String> lines = Files.readAllLines(export, StandardCharsets.UTF_8);
    List<Integer> receipts = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("{\"type\":\"receipt\"")) {
        receipts.add(i);
      }
    }
    String caught = null;
    if (receipts.size() >= 3) {
      List<String> tampered = new ArrayList<>(lines);
      tampered.remove((int) receipts.get(receipts.size() / 2));
      Path bad = dir.resolve("audit-one-receipt-removed.jsonl");
      Files.write(bad, tampered, StandardCharsets.UTF_8);
      try {
        verifier.verify(bad);
      } catch (AuditVerifier.Failure e) {
        caught = e.getMessage();
      }
    }
    return new Result(forbidden, export, fetched.lines(), fetched.slices(), summary, exportTook, verifyTook, caught,
        waited);
  }

  /** Whether, for every chain in the export, a checkpoint names its last receipt's seq. */
  private static boolean tailsCheckpointed(Path export) throws IOException {
    Map<String, Long> last = new HashMap<>();
    Map<String, Long> checkpointed = new HashMap<>();
    try (BufferedReader in = Files.newBufferedReader(export, StandardCharsets.UTF_8)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        ExportLine parsed = Json.MAPPER.readValue(line, ExportLine.class);
        if (parsed instanceof ExportLine.ReceiptLine r) {
          last.merge(r.receipt().tenant() + "/" + r.receipt().bootId(), r.receipt().seq(), Math::max);
        } else if (parsed instanceof ExportLine.CheckpointLine c) {
          checkpointed.merge(c.checkpoint().tenant() + "/" + c.checkpoint().bootId(), c.checkpoint().seq(), Math::max);
        }
      }
    }
    return !last.isEmpty() && last.entrySet().stream()
        .allMatch(e -> checkpointed.getOrDefault(e.getKey(), 0L) >= e.getValue());
  }

  static void print(java.io.PrintStream out, Result r) {
    AuditVerifier.Summary s = r.summary();
    out.printf("audit: an auditor's API key is read-only: POST /v1/jobs answered %d%n", r.forbiddenStatus());
    out.printf(java.util.Locale.ROOT, "audit: exported %d lines in %d slice(s) through GET /v1/audit/export in %d ms"
        + " (after %.1f s for the last checkpoints) to %s%n", r.lines(), r.slices(), r.exportTook().toMillis(),
        r.waitedForCheckpoints().toMillis() / 1000.0, r.export());
    out.printf("audit: verified offline (local root, this build's PCRs) in %d ms: %d boot(s), %d chain(s), %d receipts %s,"
        + " %d checkpoints, %d job(s) decided again, every chain's tail under a checkpoint%n", r.verifyTook().toMillis(),
        s.boots(), s.chains(), s.receipts(), s.decisions(), s.checkpoints(), s.decidedAgain());
    out.println("audit: one receipt removed from the middle is caught: " + (r.tamperCaught() == null
        ? "NOT CAUGHT" : r.tamperCaught()));
  }
}
