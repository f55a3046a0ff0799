package dev.keep.local.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.enclave.keys.SecretKey;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.enclave.signing.Message;
import dev.keep.local.KeepCli;
import dev.keep.local.verify.Bip340Verifier;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.encoding.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator commands of issue 3, each run as its own process exactly as an operator types
 * them, against the local enclave in a fresh KEEP_HOME. Keys made by one process are seen by the
 * next, and every signature is checked with the independent BIP-340 verifier.
 */
class EnclaveCliProcessTest {
  private static final LibSecp256k1Engine ENGINE = new LibSecp256k1Engine();
  @TempDir Path home;

  record Run(int exit, String out, String err) {}

  private Run keep(String stdin, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), KeepCli.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("KEEP_HOME", home.toString());
    Path out = Files.createTempFile(home, "out", ".txt");
    Path err = Files.createTempFile(home, "err", ".txt");
    builder.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process process = builder.start();
    try (var in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("keep " + String.join(" ", args) + " did not finish in 60 s");
    }
    return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void theIssuesLocalCommands_runAsSeparateProcesses_andShareKeys() throws Exception {
    String message = Hex.encode("hello from the operator".getBytes(StandardCharsets.UTF_8));

    Run generate = keep(null, "enclave", "generate-key", "--name", "test", "--policy", devPolicy(), "--local");
    assertEquals(0, generate.exit(), generate.err());
    assertTrue(generate.err().startsWith("keep: WARNING: local mode is not secure"), generate.err());
    assertEquals(1, generate.err().lines().count(), "exactly one warning line: " + generate.err());
    assertTrue(generate.out().startsWith("key test (single, mainnet)"), generate.out());

    Run sign = keep(null, "enclave", "sign", "--key", "test", "--message", message, "--local", "--json");
    assertEquals(0, sign.exit(), sign.err());
    JsonNode signed = Json.MAPPER.readTree(sign.out());
    assertEquals("schnorr_signature", signed.get("type").asText());
    Run pub = keep(null, "enclave", "public-key", "--key", "test", "--local", "--json");
    String xOnly = Json.MAPPER.readTree(pub.out()).get("xOnly").asText();
    assertEquals(xOnly, signed.get("publicKey").asText());
    assertTrue(Bip340Verifier.verify(Hex.decode("pk", xOnly), Hex.decode("m", message),
        Hex.decode("sig", signed.get("signature").asText())));

    Run again = keep(null, "enclave", "generate-key", "--name", "test", "--local");
    assertEquals(1, again.exit());
    assertTrue(again.err().contains("KEY_EXISTS: keyId: a key named 'test' exists; choose another name"), again.err());

    try (var files = Files.walk(home)) {
      for (Path f : files.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".sealed.json")).toList()) {
        assertFalse(Files.readString(f).contains("\"secret\""), f.toString());
      }
    }
  }

  @Test
  void importStatusListDisableAndEvents_andErrorsSayWhatToDo() throws Exception {
    Run imported = keep("nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5\n",
        "enclave", "import-key", "--name", "nostr", "--policy", devPolicy(), "--local", "--json");
    assertEquals(0, imported.exit(), imported.err());
    String xOnly = Json.MAPPER.readTree(imported.out()).get("xOnly").asText();

    Path event = home.resolve("event.json");
    Files.writeString(event, "{\"pubkey\":\"" + xOnly + "\",\"created_at\":1700000000,\"kind\":1,\"tags\":[],\"content\":\"gm\"}");
    Run signEvent = keep(null, "enclave", "sign-event", "--key", "nostr", "--event", event.toString(), "--local");
    assertEquals(0, signEvent.exit(), signEvent.err());
    JsonNode signed = Json.MAPPER.readTree(signEvent.out());
    assertTrue(Bip340Verifier.verify(Hex.decode("pk", xOnly), Hex.decode("id", signed.get("id").asText()),
        Hex.decode("sig", signed.get("sig").asText())));

    Run status = keep(null, "enclave", "status", "--local");
    assertEquals("enclave ok: local mode, 1 key", status.out().strip());
    Run list = keep(null, "enclave", "list-keys", "--local");
    assertTrue(list.out().contains("nostr") && list.out().contains("active"), list.out());

    assertEquals(0, keep(null, "enclave", "disable-key", "--key", "nostr", "--local").exit());
    Run refused = keep(null, "enclave", "sign", "--key", "nostr", "--text", "hi there", "--local");
    assertEquals(1, refused.exit());
    assertTrue(refused.err().contains("KEY_DISABLED"), refused.err());

    Run missing = keep(null, "enclave", "sign", "--key", "nobody", "--text", "hi there", "--local");
    assertEquals(1, missing.exit());
    assertTrue(missing.err().contains("keep enclave list-keys"), missing.err());

    Run usage = keep(null, "enclave", "sign", "--key", "nostr", "--text", "hi");
    assertEquals(2, usage.exit());
    assertTrue(usage.err().contains("--cid N") && usage.err().contains("--local"), usage.err());

    Run noVsock = keep(null, "enclave", "status", "--cid", "16");
    assertEquals(1, noVsock.exit());
    assertTrue(noVsock.err().contains("cannot reach") && noVsock.err().contains("--local"), noVsock.err());
  }

  /**
   * The issue's command as written: a PSBT file (base64 or binary) signed and finalised for an HD
   * testnet key; the transaction it extracts passes bitcoin-kmp's script interpreter. A request
   * for another network is refused.
   */
  @Test
  void signPsbt_fromBase64AndBinaryFiles_finalises_andRefusesAnotherNetwork() throws Exception {
    assertEquals(0, keep(null, "enclave", "generate-key", "--name", "wallet", "--type", "hd", "--network", "testnet",
        "--policy", devPolicy(), "--local").exit());
    Path base64 = home.resolve("tx.psbt");
    Run example = keep(null, "enclave", "example-psbt", "--key", "wallet", "--template", "p2wpkh", "--out",
        base64.toString(), "--local");
    assertEquals(0, example.exit(), example.err());
    Path binary = home.resolve("tx.bin");
    Files.write(binary, java.util.Base64.getDecoder().decode(Files.readString(base64).strip()));

    for (Path file : List.of(base64, binary)) {
      Run signed = keep(null, "enclave", "sign-psbt", "--key", "wallet", "--psbt", file.toString(), "--network", "testnet",
          "--finalize", "--local", "--json");
      assertEquals(0, signed.exit(), signed.err());
      JsonNode result = Json.MAPPER.readTree(signed.out());
      assertTrue(result.get("complete").asBoolean(), signed.out());
      assertEquals(1_000, result.path("summary").path("fee").asLong());
      assertEquals("m/84'/1'/0'/1/0", result.path("outputs").path(0).path("path").asText());
      // The funding transaction is made up, so check the spend against the output the PSBT names.
      dev.keep.enclave.psbt.Psbt psbt = dev.keep.enclave.psbt.Psbt.decodeBase64(Files.readString(base64).strip());
      assertEquals(null, dev.keep.local.verify.TransactionCheck.correctlySpends(result.get("transaction").asText(),
          List.of(Hex.encode(psbt.input(0).nonWitnessUtxo().orElseThrow().serialize()))));
    }

    Run human = keep(null, "enclave", "sign-psbt", "--key", "wallet", "--psbt", base64.toString(), "--network", "testnet",
        "--local");
    assertTrue(human.out().contains("signed 1 of 1 input") && human.out().contains("change m/84'/1'/0'/1/0"), human.out());

    Run relabel = keep(null, "enclave", "sign-psbt", "--key", "wallet", "--psbt", base64.toString(), "--network", "mainnet",
        "--local");
    assertEquals(1, relabel.exit());
    assertTrue(relabel.err().contains("does not relabel"), relabel.err());
  }

  /**
   * Issue 5's commands: a key made without a policy signs nothing; {@code policy set} gives it the
   * deployment guide's example; {@code policy evaluate} explains a job without signing it; a
   * PSBT over the limit is refused with the rule and reason; and once set, the policy changes only
   * with two of its three admins' signatures over the update digest the refusal names.
   */
  @Test
  void policySetShowEvaluate_defaultDeny_andAdminUpdates() throws Exception {
    Run generate = keep(null, "enclave", "generate-key", "--name", "guarded", "--type", "hd", "--network", "testnet",
        "--local");
    assertEquals(0, generate.exit(), generate.err());
    assertTrue(generate.err().contains("key guarded has no policy, so it signs nothing"), generate.err());
    Path big = home.resolve("big.psbt");
    Path small = home.resolve("small.psbt");
    assertEquals(0, keep(null, "enclave", "example-psbt", "--key", "guarded", "--template", "p2tr", "--amount",
        "1000001", "--out", big.toString(), "--local").exit());
    assertEquals(0, keep(null, "enclave", "example-psbt", "--key", "guarded", "--template", "p2tr", "--amount",
        "1000000", "--out", small.toString(), "--local").exit());

    Run noPolicy = keep(null, "enclave", "sign-psbt", "--key", "guarded", "--psbt", small.toString(), "--network",
        "testnet", "--local");
    assertEquals(1, noPolicy.exit());
    assertTrue(noPolicy.err().contains("POLICY_DENIED: policy rule 'default-deny': key has no policy"), noPolicy.err());

    SecretKey[] admins = new SecretKey[3];
    StringBuilder keys = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      byte[] k = new byte[32];
      k[31] = (byte) (i + 1);
      admins[i] = SecretKey.adopt(k);
      keys.append(i == 0 ? "" : ",").append("\"admin-").append(i).append("\":\"")
          .append(ENGINE.publicKey(admins[i]).xOnly().toHex()).append('"');
    }
    Path v1 = home.resolve("policy-v1.json");
    Files.writeString(v1, """
        {"version": 1,
         "rule": {"id": "root", "all": [
           {"id": "kinds", "type": "allowed_kinds", "kinds": ["psbt"]},
           {"id": "MaxAmountSats", "type": "max_amount", "sats": 1000000},
           {"id": "MaxPerHour", "type": "max_count", "window": "1h", "count": 10}]},
         "admins": {"threshold": 2, "keys": {%s}}}
        """.formatted(keys));
    Run set = keep(null, "enclave", "policy", "set", "--key", "guarded", "--file", v1.toString(), "--local");
    assertEquals(0, set.exit(), set.err());
    assertTrue(set.out().startsWith("policy of key guarded: version 1, hash "), set.out());

    Path job = home.resolve("job.json");
    Files.writeString(job, "{\"keyId\":\"guarded\",\"kind\":\"psbt\",\"network\":\"testnet\",\"psbt\":\""
        + Files.readString(big).strip() + "\"}");
    Run dryRun = keep(null, "enclave", "policy", "evaluate", "--key", "guarded", "--file", job.toString(), "--local");
    assertEquals(0, dryRun.exit(), dryRun.err());
    assertTrue(dryRun.out().startsWith("DENY by rule 'MaxAmountSats': max_amount: 1,000,001 sats > 1,000,000"),
        dryRun.out());
    assertTrue(dryRun.out().contains("dry run: nothing signed, nothing charged"), dryRun.out());

    Run over = keep(null, "enclave", "sign-psbt", "--key", "guarded", "--psbt", big.toString(), "--network", "testnet",
        "--local");
    assertEquals(1, over.exit());
    assertTrue(over.err().contains("POLICY_DENIED: policy rule 'MaxAmountSats': max_amount: 1,000,001 sats > 1,000,000"),
        over.err());
    Run atLimit = keep(null, "enclave", "sign-psbt", "--key", "guarded", "--psbt", small.toString(), "--network",
        "testnet", "--local");
    assertEquals(0, atLimit.exit(), atLimit.err());
    Run show = keep(null, "enclave", "policy", "show", "--key", "guarded", "--local");
    assertTrue(show.out().contains("last hour   1 signatures, 1,000,000 sats out"), show.out());

    // The host alone cannot loosen the policy: the refusal names the digest the admins sign.
    Path v2 = home.resolve("policy-v2.json");
    Files.writeString(v2, Files.readString(v1).replace("\"version\": 1", "\"version\": 2")
        .replace("\"sats\": 1000000", "\"sats\": 5000000"));
    Run loosen = keep(null, "enclave", "policy", "set", "--key", "guarded", "--file", v2.toString(), "--local");
    assertEquals(1, loosen.exit());
    assertTrue(loosen.err().contains("POLICY_DENIED: policy update: 0 valid admin approvals, 2 required"), loosen.err());
    java.util.regex.Matcher digest = java.util.regex.Pattern.compile("admins sign ([0-9a-f]{64})").matcher(loosen.err());
    assertTrue(digest.find(), loosen.err());
    Message update = Message.of(Hex.decode("digest", digest.group(1)));
    Path approvals = home.resolve("approvals.json");
    Files.writeString(approvals, "[{\"approver\":\"admin-0\",\"signature\":\""
        + ENGINE.signSchnorr(update, admins[0], new byte[32]).toHex() + "\"},{\"approver\":\"admin-2\",\"signature\":\""
        + ENGINE.signSchnorr(update, admins[2], new byte[32]).toHex() + "\"}]");
    Run approved = keep(null, "enclave", "policy", "set", "--key", "guarded", "--file", v2.toString(), "--approvals",
        approvals.toString(), "--local");
    assertEquals(0, approved.exit(), approved.err());
    assertTrue(approved.out().startsWith("policy of key guarded: version 2, hash "), approved.out());
    Run nowAllowed = keep(null, "enclave", "sign-psbt", "--key", "guarded", "--psbt", big.toString(), "--network",
        "testnet", "--local");
    assertEquals(0, nowAllowed.exit(), nowAllowed.err());
  }

  /** keep enclave measure and verify through keep's main: exit 0 verified, 1 a check failed, 2 usage. */
  @Test
  void verify_asAnOperatorRunsIt() throws Exception {
    Path pcrs = home.resolve("pcrs.json");
    Run measure = keep(null, "enclave", "measure", "--out", pcrs.toString());
    assertEquals(0, measure.exit(), measure.err());
    Run generate = keep(null, "enclave", "generate-key", "--name", "audited", "--policy", devPolicy(), "--local");
    assertEquals(0, generate.exit(), generate.err());

    Run verified = keep(null, "enclave", "verify", "--local", "--pcrs", pcrs.toString());
    assertEquals(0, verified.exit(), verified.err());
    assertTrue(verified.out().startsWith("enclave attestation verified: the local enclave ("), verified.out());
    assertTrue(verified.out().contains("  PCR check:   matches the expected PCRs\n"), verified.out());
    assertTrue(verified.out().contains("\n    audited "), verified.out());

    Run wrong = keep(null, "enclave", "verify", "--local", "--pcr0", "ab".repeat(48));
    assertEquals(1, wrong.exit(), wrong.err());
    assertTrue(wrong.err().contains("keep: enclave verify: pcrs: the PCRs do not match the allowed set: PCR0 expected"),
        wrong.err());

    Run usage = keep(null, "enclave", "verify", "--local");
    assertEquals(2, usage.exit());
    assertTrue(usage.err().startsWith("keep: say which PCRs to expect"), usage.err());
  }

  /** Every kind, no limit: the local development policy, for tests about something else. */
  private String devPolicy() throws IOException {
    Path file = home.resolve("dev-policy.json");
    Files.writeString(file, dev.keep.local.stack.LocalStack.DEVELOPMENT_POLICY_JSON);
    return file.toString();
  }

  /**
   * Issue #14's repros through the CLI, as an operator runs them: a policy with a key twice, job and
   * event files with a key twice or bytes that are not UTF-8, one secret imported under two names,
   * and a weak API key for the local stack.
   */
  @Test
  void whatTheCliRefuses_andWhy() throws Exception {
    Path twice = home.resolve("twice.json");
    Files.writeString(twice, """
        {"version": 2, "rule": {"id": "pay", "all": [
          {"id": "kinds", "type": "allowed_kinds", "kinds": ["psbt"]},
          {"id": "limit", "type": "max_amount", "sats": 1000000, "sats": 900000000}]}}
        """);
    Run generate = keep(null, "enclave", "generate-key", "--name", "treasury", "--type", "hd", "--network", "testnet",
        "--policy", twice.toString(), "--local");
    assertEquals(1, generate.exit(), generate.err());
    assertTrue(generate.err().contains("INVALID_REQUEST: policy: duplicate key at line 3, column 64"), generate.err());
    assertEquals(0, keep(null, "enclave", "generate-key", "--name", "treasury", "--type", "hd", "--network", "testnet",
        "--policy", devPolicy(), "--local").exit());
    Run set = keep(null, "enclave", "policy", "set", "--key", "treasury", "--file", twice.toString(), "--local");
    assertEquals(1, set.exit(), set.err());
    assertTrue(set.err().contains("policy: duplicate key at line 3, column 64"), set.err());
    assertFalse(set.err().contains("admins sign"), "no update digest is offered for a document the enclave refuses");

    Path job = home.resolve("job.json");
    Files.writeString(job, "{\"keyId\":\"treasury\",\"kind\":\"message\",\"message\":\"00\",\"message\":\"01\"}");
    Run evaluate = keep(null, "enclave", "policy", "evaluate", "--key", "treasury", "--file", job.toString(), "--local");
    assertEquals(2, evaluate.exit(), evaluate.err());
    assertTrue(evaluate.err().contains("duplicate key 'message'"), evaluate.err());

    Path latin1 = home.resolve("event.json");
    byte[] event = "{\"pubkey\":\"00\",\"created_at\":1,\"kind\":1,\"tags\":[],\"content\":\"caf?\"}"
        .getBytes(StandardCharsets.US_ASCII);
    event[event.length - 3] = (byte) 0xE9;
    Files.write(latin1, event);
    Run signEvent = keep(null, "enclave", "sign-event", "--key", "treasury", "--event", latin1.toString(), "--local");
    assertEquals(2, signEvent.exit(), signEvent.err());
    assertTrue(signEvent.err().contains("--event " + latin1 + ": not valid UTF-8 at byte offset " + (event.length - 3)
        + " (byte 0xE9)"), signEvent.err());

    String secret = "0000000000000000000000000000000000000000000000000000000000000007\n";
    assertEquals(0, keep(secret, "enclave", "import-key", "--name", "imported", "--policy", devPolicy(), "--local").exit());
    Run copy = keep(secret, "enclave", "import-key", "--name", "imported2", "--policy", devPolicy(), "--local");
    assertEquals(1, copy.exit(), copy.err());
    assertTrue(copy.err().contains("KEY_EXISTS: secret: this key is already held as 'imported'"), copy.err());

    Run weak = keep(null, "local", "up", "--api-key", "0123456789abcdef");
    assertEquals(2, weak.exit(), weak.err());
    assertTrue(weak.err().contains("--api-key is too short: 16 characters from a set of 36 carry at most 83 bits"),
        weak.err());
    Run repetitive = keep(null, "local", "up", "--api-key", "abababababababababababababababababababababab");
    assertEquals(2, repetitive.exit(), repetitive.err());
    assertTrue(repetitive.err().contains("has too little variety"), repetitive.err());
  }
}
