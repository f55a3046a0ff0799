package dev.keep.local.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.local.bench.AuditVerifyBench;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keep audit verify} on an export made by the enclave's receipt issuer (the bench's): one
 * boot, two tenants' chains interleaved.
 */
class AuditCliTest {
  @TempDir
  Path dir;

  @Test
  void verifiesAnExport_printsItsSummary_andNamesTheLineOfATamperedOne() throws Exception {
    Path export = dir.resolve("audit.jsonl");
    ByteArrayOutputStream discard = new ByteArrayOutputStream();
    // Lines: 1 the attestation, 2-21 receipts 1-20 dealt in turn to bench-1 and bench-2 (line 2k
    // and 2k + 1 are seq k of each), 22-23 each chain's checkpoint at 10.
    AuditVerifyBench.Made made = new AuditVerifyBench(new PrintStream(discard)).make(export, 20, 2);
    Path root = dir.resolve("root.pem");
    Files.writeString(root, "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(
            made.root().certificate().getEncoded()) + "\n-----END CERTIFICATE-----\n");
    var pcrs = made.pcrs().asMap();
    List<String> args = List.of("verify", "--export", export.toString(), "--local-root", root.toString(),
        "--pcr0", pcrs.get(0).hex(), "--pcr1", pcrs.get(1).hex(), "--pcr2", pcrs.get(2).hex());
    List<String> partialArgs = new ArrayList<>(args);
    partialArgs.add("--partial");
    List<String> original = Files.readAllLines(export);

    String text = run(args);
    assertTrue(text.contains("receipts:       20 {SIGNED=20}"), text);
    assertTrue(text.contains("boots:          1"), text);
    assertTrue(text.contains("tenants:        2"), text);
    assertTrue(text.contains("chains:         2 (one per boot and tenant)"), text);
    assertTrue(text.contains("decided again:  0 jobs"), text);
    assertTrue(text.contains("partial chains: 0 (not --partial"), text);
    assertTrue(text.contains("checkpoints:    2 (each signed, each matching its chain)"), text);

    List<String> lines = new ArrayList<>(original);
    lines.remove(5); // line 6, receipt 5: bench-1's seq 3; its seq 4 was line 8, now 7
    Files.write(export, lines);
    AuditCli.Failure failure = assertThrows(AuditCli.Failure.class, () -> run(args));
    assertTrue(failure.getMessage().startsWith("line 7 (boot ")
        && failure.getMessage().contains(", tenant bench-1, seq 4): seq 3 missing"), failure.getMessage());

    // A time range from receipt 5 on: each chain starts at seq 3.
    lines = new ArrayList<>(original);
    lines.subList(1, 5).clear();
    Files.write(export, lines);
    failure = assertThrows(AuditCli.Failure.class, () -> run(args));
    assertTrue(failure.getMessage().startsWith("line 2 (boot ")
        && failure.getMessage().contains(", tenant bench-1, seq 3): the chain starts at seq 3: seq 1 to 2 missing"),
        failure.getMessage());
    text = run(partialArgs);
    assertTrue(text.contains("(partial: a time range)"), text);
    assertTrue(text.contains("receipts:       16 {SIGNED=16}"), text);
    assertTrue(text.contains("partial chains: 2 starting after seq 1"), text);

    assertThrows(AttestationCli.Usage.class, () -> new AuditCli(System.out).run(List.of("verify", "--insecure-no-pcrs")),
        "--export is required");
    assertThrows(AttestationCli.Usage.class, () -> new AuditCli(System.out).run(List.of("verify", "--export",
        export.toString())), "the PCRs, or --insecure-no-pcrs, are required");
  }

  @Test
  void theBenchVerifiesTheExportItMakes() throws Exception {
    // keep bench audit-verify, small: it fails unless the verifier accepts its export whole.
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    new AuditVerifyBench(new PrintStream(printed, true, StandardCharsets.UTF_8)).run(1_200, 1);
    String text = printed.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("export of 1200 receipts") && text.contains("median:"), text);
  }

  private static String run(List<String> args) throws AuditCli.Failure {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    assertEquals(0, new AuditCli(new PrintStream(printed, true, StandardCharsets.UTF_8)).run(args));
    String text = printed.toString(StandardCharsets.UTF_8);
    System.out.print(text); // the surefire report keeps it, for a reader of the test run
    return text;
  }
}
