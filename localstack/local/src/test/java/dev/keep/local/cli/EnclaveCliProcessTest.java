package dev.keep.local.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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

    Run generate = keep(null, "enclave", "generate-key", "--name", "test", "--local");
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
        "enclave", "import-key", "--name", "nostr", "--local", "--json");
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
        "--local").exit());
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
}
