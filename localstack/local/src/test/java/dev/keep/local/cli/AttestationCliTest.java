package dev.keep.local.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.local.KeepCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keep attestation verify} on the real 2024-09-07 debug-mode document: in process for the
 * output and the messages, and as a process for the exit statuses.
 */
class AttestationCliTest {
  private static final String ZERO = "0".repeat(96);
  private static final String TIME = "2024-09-07T14:38:06.508Z";

  @TempDir Path dir;
  private Path base64;
  private Path raw;

  @BeforeEach
  void writeDocuments() throws IOException {
    try (InputStream in = getClass().getResourceAsStream("/nitro/attestation-debug-2024-09-07.b64")) {
      byte[] text = in.readAllBytes();
      base64 = Files.write(dir.resolve("attestation.b64"), text);
      raw = Files.write(dir.resolve("attestation.cbor"),
          Base64.getMimeDecoder().decode(new String(text, StandardCharsets.US_ASCII).strip()));
    }
  }

  private String run(String... args) throws AttestationCli.Failure {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, new AttestationCli(new PrintStream(out, true, StandardCharsets.UTF_8)).run(List.of(args)));
    return out.toString(StandardCharsets.UTF_8);
  }

  private String failure(String... args) {
    return assertThrows(AttestationCli.Failure.class, () -> run(args)).getMessage();
  }

  @Test
  void verify_withAllowDebug_printsTheDocument() throws Exception {
    String out = run("verify", "--document", base64.toString(), "--pcr0", ZERO, "--pcr1", ZERO, "--pcr2", ZERO,
        "--allow-debug");

    assertEquals("""
        attestation document verified
          module id:   i-0a22e5c5f24d22174-enc0191ccebaf8feaba
          time:        2024-09-07T14:38:06.508Z
          checked at:  2024-09-07T14:38:06.508Z (the document's time)
          root:        AWS Nitro Enclaves root G1 "CN=aws.nitro-enclaves,OU=AWS,O=Amazon,C=US" (SHA-256 641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b)
          signed by:   CN=i-0a22e5c5f24d22174-enc0191ccebaf8feaba.us-east-1.aws,OU=AWS,O=Amazon,L=Seattle,ST=Washington,C=US
          PCR0:        %1$s
          PCR1:        %1$s
          PCR2:        %1$s
          PCR4:        45706d7b621e4620a332e147a5ddb000b049f73d47d3e61f6b03d2069152d4df6a4a786ad1c10102b955799a9dc96b44
          PCR check:   matches the expected PCRs
          debug mode:  YES (allowed by --allow-debug): the parent instance can read this enclave's memory
          public key:  1024 bytes, 01010101010101010101010101010101...01010101
          user data:   1024 bytes, 01010101010101010101010101010101...01010101
          nonce:       1024 bytes, 01010101010101010101010101010101...01010101 (not checked)
        """.formatted(ZERO), out);
  }

  @Test
  void verify_rawCborAtItsOwnTimeGivenWithAt_andANonce() throws Exception {
    String out = run("verify", "--document", raw.toString(), "--no-pcr-check", "--allow-debug", "--at", TIME,
        "--nonce", "01".repeat(1024), "--require-public-key");

    assertTrue(out.contains("  checked at:  2024-09-07T14:38:06.508Z (--at)\n"), out);
    assertTrue(out.contains("  PCR check:   NOT CHECKED (--no-pcr-check)\n"), out);
    assertTrue(out.contains(" (matches --nonce)\n"), out);
  }

  @Test
  void verify_withoutAllowDebug_failsTheDebugCheck() {
    assertEquals(
        "debug: PCR0, PCR1 and PCR2 are all zero: the enclave runs in debug mode, whose memory the parent can"
            + " read; refused unless debug mode is allowed",
        failure("verify", "--document", base64.toString(), "--no-pcr-check"));
  }

  @Test
  void verify_atTheCurrentTime_failsTheValidityCheck() {
    String message = failure("verify", "--document", base64.toString(), "--no-pcr-check", "--allow-debug", "--at",
        Instant.now().toString());

    assertTrue(message.startsWith("validity: intermediate (cabundle[1]) certificate"
        + " \"CN=ec28cbbaae08094d.us-east-1.aws.nitro-enclaves,OU=AWS,O=Amazon,C=US\" expired: notAfter"
        + " 2024-09-24T15:32:55Z is before the verification time "), message);
  }

  @Test
  void verify_againstAPcrsFileThatDiffers_namesThePcr() throws Exception {
    Path pcrs = Files.writeString(dir.resolve("pcrs.json"), """
        {"Measurements": {"HashAlgorithm": "Sha384 { ... }", "PCR0": "%s", "PCR1": "%s", "PCR2": "%s"}}
        """.formatted(ZERO, ZERO, "ab".repeat(48)));

    assertEquals(
        "pcrs: the PCRs do not match the allowed set: PCR2 expected " + "ab".repeat(48) + " found " + ZERO,
        failure("verify", "--document", base64.toString(), "--pcrs", pcrs.toString(), "--allow-debug"));
  }

  @Test
  void verify_aFileThatIsNotADocument_failsTheStructureCheck() throws Exception {
    Path text = Files.writeString(dir.resolve("x.txt"), "not a document!");

    assertTrue(failure("verify", "--document", text.toString(), "--no-pcr-check").startsWith("structure: "));
  }

  @Test
  void usageErrors() {
    List<List<String>> cases = List.of(
        List.of(),
        List.of("check"),
        List.of("verify", "--no-pcr-check"),
        List.of("verify", "--document", "x"),
        List.of("verify", "--document", "x", "--no-pcr-check", "--pcr0", ZERO),
        List.of("verify", "--document", "x", "--no-pcr-check", "--at", "yesterday"),
        List.of("verify", "--document", "x", "--pcr0", "00"),
        List.of("verify", "--document", "x", "--no-pcr-check", "--nonce", "xyz"),
        List.of("verify", "--document", "x", "--no-pcr-check", "--allow-debug", "--allow-debug"),
        List.of("verify", "--document", "x", "--no-pcr-check", "--verbose"),
        List.of("verify", "--document"));
    List<String> passed = new ArrayList<>();
    for (List<String> args : cases) {
      try {
        new AttestationCli(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).run(args);
        passed.add(args + ": ran");
      } catch (AttestationCli.Usage expected) {
        // the case passes
      } catch (AttestationCli.Failure e) {
        passed.add(args + ": failed instead of a usage error: " + e.getMessage());
      }
    }
    assertEquals(List.of(), passed);
  }

  /** The exit statuses, through {@code keep}'s main as an operator runs it. */
  @Test
  void process_exitsZeroWhenVerified_oneWhenACheckFails_twoOnUsage() throws Exception {
    Run verified = keep("attestation", "verify", "--document", base64.toString(), "--no-pcr-check", "--allow-debug",
        "--at", TIME);
    assertEquals(0, verified.exit(), verified.err());
    assertTrue(verified.out().startsWith("attestation document verified\n"), verified.out());
    assertEquals("", verified.err());

    Run debug = keep("attestation", "verify", "--document", base64.toString(), "--no-pcr-check", "--at", TIME);
    assertEquals(1, debug.exit());
    assertEquals("", debug.out());
    assertTrue(debug.err().startsWith("keep: attestation: debug: PCR0, PCR1 and PCR2 are all zero"), debug.err());

    Run usage = keep("attestation", "verify", "--document", base64.toString());
    assertEquals(2, usage.exit());
    assertTrue(usage.err().startsWith("keep: say which PCRs to expect"), usage.err());
  }

  record Run(int exit, String out, String err) {}

  private Run keep(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xshare:auto", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), KeepCli.class.getName()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    process.getOutputStream().close();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("keep " + String.join(" ", args) + " did not finish in 60 s");
    }
    return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
  }
}
