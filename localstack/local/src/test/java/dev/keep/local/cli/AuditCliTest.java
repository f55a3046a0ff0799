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

/** {@code keep audit verify} on an export made by the enclave's receipt issuer (the bench's). */
class AuditCliTest {
  @TempDir
  Path dir;

  @Test
  void verifiesAnExport_printsItsSummary_andNamesTheLineOfATamperedOne() throws Exception {
    Path export = dir.resolve("audit.jsonl");
    ByteArrayOutputStream discard = new ByteArrayOutputStream();
    AuditVerifyBench.Made made = new AuditVerifyBench(new PrintStream(discard)).make(export, 20);
    Path root = dir.resolve("root.pem");
    Files.writeString(root, "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(
            made.root().certificate().getEncoded()) + "\n-----END CERTIFICATE-----\n");
    var pcrs = made.pcrs().asMap();
    List<String> args = List.of("verify", "--export", export.toString(), "--local-root", root.toString(),
        "--pcr0", pcrs.get(0).hex(), "--pcr1", pcrs.get(1).hex(), "--pcr2", pcrs.get(2).hex());

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    assertEquals(0, new AuditCli(new PrintStream(printed, true, StandardCharsets.UTF_8)).run(args));
    String text = printed.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("receipts:    20 {SIGNED=20}"), text);
    assertTrue(text.contains("boots:       1"), text);

    List<String> lines = new ArrayList<>(Files.readAllLines(export));
    lines.remove(5); // the receipt of seq 5
    Files.write(export, lines);
    AuditCli.Failure failure = assertThrows(AuditCli.Failure.class,
        () -> new AuditCli(new PrintStream(new ByteArrayOutputStream())).run(args));
    assertTrue(failure.getMessage().startsWith("line 6 (boot ") && failure.getMessage().contains("seq 5 missing"),
        failure.getMessage());

    assertThrows(AttestationCli.Usage.class, () -> new AuditCli(System.out).run(List.of("verify", "--insecure-no-pcrs")),
        "--export is required");
    assertThrows(AttestationCli.Usage.class, () -> new AuditCli(System.out).run(List.of("verify", "--export",
        export.toString())), "the PCRs, or --insecure-no-pcrs, are required");
  }
}
