package dev.keep.local.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.attestation.LocalNitroAuthority;
import dev.keep.local.stack.LocalKms;
import dev.keep.local.stack.LocalStack;
import dev.keep.schema.attestation.AttestationVerifier;
import dev.keep.schema.attestation.KeepUserData;
import dev.keep.schema.attestation.Nonce;
import dev.keep.schema.attestation.PcrPolicy;
import dev.keep.schema.attestation.PcrSet;
import dev.keep.schema.attestation.PcrsJson;
import dev.keep.schema.attestation.TrustedRoot;
import dev.keep.schema.attestation.VerifiedAttestation;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keep enclave verify} and {@code keep enclave measure} against the local enclave: the
 * live document verifies with a fresh nonce against this build's measured PCRs and the local root,
 * its user data is recomputed from the listed policies, every check that can fail names itself,
 * and a document saved by {@code verify} verifies again with {@code keep attestation verify}.
 */
class EnclaveAttestationCliTest {
  private static final HexFormat HEX = HexFormat.of();

  @TempDir Path dir;
  private Path dataDir;
  private Path pcrs;

  @BeforeEach
  void aLocalEnclaveWithTwoPoliciedKeys() throws Exception {
    dataDir = dir.resolve("enclave");
    Path policy = Files.writeString(dir.resolve("policy.json"), LocalStack.DEVELOPMENT_POLICY_JSON);
    for (String name : List.of("treasury", "hot")) {
      int code = new EnclaveCli(quiet(), quiet(), new ByteArrayInputStream(new byte[0]))
          .run(List.of("generate-key", "--name", name, "--policy", policy.toString(), "--local", "--data-dir",
              dataDir.toString()));
      assertEquals(0, code);
    }
    pcrs = dir.resolve("pcrs.json");
    assertEquals(0, cli(new ByteArrayOutputStream()).run(List.of("measure", "--out", pcrs.toString())));
  }

  @Test
  void measure_printsThisBuildsPcrsInNitroClisShape() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, cli(out).run(List.of("measure")));
    String json = out.toString(StandardCharsets.UTF_8);
    assertTrue(json.contains("\"HashAlgorithm\": \"Sha384 { ... }\""), json);
    PcrSet printed = PcrsJson.parse(json);
    var build = LocalKms.thisBuildPcrs();
    for (int i = 0; i <= 2; i++) {
      assertEquals(HEX.formatHex(build.get(i)), printed.get(i).orElseThrow().hex(), "PCR" + i);
    }
    assertEquals(printed, PcrsJson.read(pcrs), "--out writes the same");
  }

  @Test
  void verify_local_checksTheLiveDocument_andRecomputesTheUserData() throws Exception {
    Path saved = dir.resolve("document.b64");
    String out = verify("--pcrs", pcrs.toString(), "--document-out", saved.toString());
    assertTrue(out.startsWith("enclave attestation verified: the local enclave ("), out);
    assertTrue(out.contains("  mode:        local\n"), out);
    assertTrue(out.contains("  PCR check:   matches the expected PCRs\n"), out);
    assertTrue(out.contains("  debug mode:  no\n"), out);
    assertTrue(out.contains("  public key:  RSA-2048, SHA-256 of its SubjectPublicKeyInfo "), out);
    assertTrue(out.contains(" over the audit key and 2 policies (recomputed, matches)\n"), out);
    assertTrue(Pattern.compile("\n  audit key:   [0-9a-f]{64} ").matcher(out).find(), out);
    assertTrue(Pattern.compile("\n    hot +version 1 +sha256 [0-9a-f]{64}\n    treasury +version 1 ").matcher(out).find(),
        out);

    // The saved document is the one that verified: an auditor checks it again, offline.
    // The command it prints runs as printed.
    Matcher command = Pattern.compile("\n    keep attestation (verify .*)\n").matcher(out);
    assertTrue(command.find(), out);
    String printed = command.group(1);
    assertTrue(printed.contains(" --pcrs " + pcrs + " --local-root "), printed);
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    assertEquals(0, new AttestationCli(new PrintStream(again, true, StandardCharsets.UTF_8))
        .run(List.of(printed.split(" "))));
    assertTrue(again.toString(StandardCharsets.UTF_8).contains(" (matches --nonce)\n"));
  }

  @Test
  void verify_eachCallSendsAFreshNonce() throws Exception {
    Pattern nonce = Pattern.compile("--nonce ([0-9a-f]{64})");
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Matcher m = nonce.matcher(verify("--insecure-no-pcrs", "--document-out", dir.resolve("d" + i).toString()));
      assertTrue(m.find());
      seen.add(m.group(1));
    }
    assertTrue(!seen.get(0).equals(seen.get(1)), "two runs, two nonces: " + seen);
  }

  @Test
  void verify_otherPcrs_failNamingThePcr() throws Exception {
    String other = "ab".repeat(48);
    Path wrong = Files.writeString(dir.resolve("wrong.json"), "{\"PCR0\": \"" + other + "\"}");
    String message = failure("--pcrs", wrong.toString());
    assertTrue(message.startsWith("pcrs: the PCRs do not match the allowed set: PCR0 expected " + other + " found "),
        message);

    String flag = failure("--pcr0", other);
    assertTrue(flag.startsWith("pcrs: "), flag);
  }

  @Test
  void verify_withoutAPcrCheck_saysSoOutLoud() throws Exception {
    String out = verify("--insecure-no-pcrs");
    assertTrue(out.contains("  PCR check:   NOT CHECKED (--insecure-no-pcrs)\n"), out);
  }

  @Test
  void verify_againstTheAwsRoot_aLocalDocumentFails() throws Exception {
    // --cid would pin the AWS root; the same check, run on the local enclave's document.
    EnclaveResponse.Attestation answer = attest(new byte[32]);
    var verifier = AttestationVerifier.builder().trustedRoot(TrustedRoot.awsNitro())
        .pcrs(PcrPolicy.insecureNoCheck()).build();
    var e = assertThrows(dev.keep.schema.attestation.AttestationException.class,
        () -> verifier.verify(Base64.getDecoder().decode(answer.document()), Instant.now()));
    assertTrue(e.getMessage().startsWith("root: cabundle[0] is \"O=Keep,OU=Keep local mode"), e.getMessage());
  }

  /** The answer beside the document must agree with it; a host that edits the list is caught. */
  @Test
  void checkBinding_refusesPoliciesOrAKeyTheDocumentDoesNotCommitTo() throws Exception {
    byte[] nonce = new byte[32];
    nonce[0] = 7;
    EnclaveResponse.Attestation answer = attest(nonce);
    TrustedRoot root = TrustedRoot.local(LocalNitroAuthority.readRoot(dataDir.resolve("nitro")));
    VerifiedAttestation verified = AttestationVerifier.builder().trustedRoot(root)
        .pcrs(PcrPolicy.anyOf(List.of(PcrsJson.read(pcrs)))).expectedNonce(Nonce.of(nonce))
        .requirePublicKey(true).build()
        .verify(Base64.getDecoder().decode(answer.document()), Instant.now());
    var binding = EnclaveAttestationCli.checkBinding(verified, answer);
    assertEquals(HEX.formatHex(KeepUserData.of(HEX.parseHex(answer.auditKey()), answer.policies())),
        binding.userData());

    List<EnclaveResponse.PolicyRef> older = new ArrayList<>(answer.policies());
    EnclaveResponse.PolicyRef first = older.getFirst();
    older.set(0, new EnclaveResponse.PolicyRef(first.keyId(), first.version() + 1, first.hash()));
    String edited = assertThrows(AttestationCli.Failure.class, () -> EnclaveAttestationCli.checkBinding(verified,
        new EnclaveResponse.Attestation(answer.mode(), answer.document(), answer.publicKey(), answer.auditKey(),
            answer.userData(), older))).getMessage();
    assertTrue(edited.startsWith("user_data: the document commits to "), edited);

    String dropped = assertThrows(AttestationCli.Failure.class, () -> EnclaveAttestationCli.checkBinding(verified,
        new EnclaveResponse.Attestation(answer.mode(), answer.document(), answer.publicKey(), answer.auditKey(),
            answer.userData(), answer.policies().subList(1, 2)))).getMessage();
    assertTrue(dropped.startsWith("user_data: "), dropped);

    String twice = assertThrows(AttestationCli.Failure.class, () -> EnclaveAttestationCli.checkBinding(verified,
        new EnclaveResponse.Attestation(answer.mode(), answer.document(), answer.publicKey(), answer.auditKey(),
            answer.userData(), List.of(first, first)))).getMessage();
    assertTrue(twice.contains("is listed twice"), twice);

    String otherAudit = assertThrows(AttestationCli.Failure.class, () -> EnclaveAttestationCli.checkBinding(verified,
        new EnclaveResponse.Attestation(answer.mode(), answer.document(), answer.publicKey(), "ab".repeat(32),
            answer.userData(), answer.policies()))).getMessage();
    assertTrue(otherAudit.startsWith("user_data: the document commits to "), otherAudit);

    String otherKey = Base64.getEncoder().encodeToString(new byte[] {0x30, 0x00});
    String key = assertThrows(AttestationCli.Failure.class, () -> EnclaveAttestationCli.checkBinding(verified,
        new EnclaveResponse.Attestation(answer.mode(), answer.document(), otherKey, answer.auditKey(),
            answer.userData(), answer.policies()))).getMessage();
    assertTrue(key.startsWith("public_key: the document's key is not the key the enclave names"), key);
  }

  @Test
  void usage_namesTheProblem() {
    List<List<String>> cases = List.of(
        List.of("verify", "--local", "--data-dir", "x"),
        List.of("verify", "--insecure-no-pcrs"),
        List.of("verify", "--cid", "16", "--local", "--insecure-no-pcrs"),
        List.of("verify", "--local", "--port", "5000", "--insecure-no-pcrs"),
        List.of("verify", "--cid", "16", "--data-dir", "x", "--insecure-no-pcrs"),
        List.of("verify", "--cid", "two", "--insecure-no-pcrs"),
        List.of("verify", "--local", "--insecure-no-pcrs", "--pcr0", "ab".repeat(48)),
        List.of("verify", "--local", "--insecure-no-pcrs", "--verbose"),
        List.of("measure", "--json"));
    List<String> passed = new ArrayList<>();
    for (List<String> args : cases) {
      try {
        cli(new ByteArrayOutputStream()).run(args);
        passed.add(String.join(" ", args));
      } catch (AttestationCli.Usage expected) {
        // exit status 2
      } catch (AttestationCli.Failure e) {
        passed.add(String.join(" ", args) + " -> failure, not usage: " + e.getMessage());
      }
    }
    assertEquals(List.of(), passed);
  }

  private EnclaveResponse.Attestation attest(byte[] nonce) throws Exception {
    try (EnclaveTarget target = EnclaveTarget.Local.start(dataDir)) {
      return (EnclaveResponse.Attestation) target.client().call(new EnclaveRequest.Attest(HEX.formatHex(nonce)));
    }
  }

  private String verify(String... options) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<String> args = new ArrayList<>(List.of("verify", "--local", "--data-dir", dataDir.toString()));
    args.addAll(List.of(options));
    assertEquals(0, cli(out).run(args));
    return out.toString(StandardCharsets.UTF_8);
  }

  private String failure(String... options) {
    List<String> args = new ArrayList<>(List.of("verify", "--local", "--data-dir", dataDir.toString()));
    args.addAll(List.of(options));
    return assertThrows(AttestationCli.Failure.class, () -> cli(new ByteArrayOutputStream()).run(args)).getMessage();
  }

  private static EnclaveAttestationCli cli(ByteArrayOutputStream out) {
    return new EnclaveAttestationCli(new PrintStream(out, true, StandardCharsets.UTF_8), quiet());
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
