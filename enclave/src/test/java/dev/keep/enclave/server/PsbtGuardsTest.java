package dev.keep.enclave.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.keys.KeyStore;
import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.hd.DerivationPath;
import dev.keep.enclave.keys.hd.Fingerprint;
import dev.keep.enclave.psbt.KeyOrigin;
import dev.keep.enclave.psbt.Psbt;
import dev.keep.enclave.psbt.sign.SpendFixtures;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.enclave.signing.Signer;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveRequest.KeySpec;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.ErrorCode;
import dev.keep.schema.protocol.FrameCodec;
import dev.keep.schema.protocol.ProtocolCodec;
import dev.keep.schema.protocol.ResponseFrame;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What the enclave refuses in a PSBT before it signs (issue #14): a path under another network's
 * BIP-44 coin type, and an answer too large to deliver or store. Both are refused with nothing
 * signed and nothing charged.
 */
class PsbtGuardsTest {
  private static final LibSecp256k1Engine ENGINE = new LibSecp256k1Engine();
  private static final KeySpec HD_TESTNET = new KeySpec("hd", "testnet", false);
  private static final String COUNTED = """
      {"version": 1, "rule": {"id": "root", "all": [
        {"id": "kinds", "type": "allowed_kinds", "kinds": ["psbt"]},
        {"id": "count", "type": "max_count", "window": "1h", "count": 1000}%s]}%s}
      """;

  private final EnclaveService service =
      new EnclaveService(KeyStore.inMemory(), new Signer(ENGINE, new SecureRandom()), EnclaveMode.LOCAL);

  private void hdKey(String name, String extraTopLevel) {
    assertInstanceOf(EnclaveResponse.KeyInfo.class, service.handle(new EnclaveRequest.GenerateKey(name, HD_TESTNET,
        COUNTED.formatted("", extraTopLevel))));
  }

  private PublicKey publicKey(String key, String path) {
    var info = assertInstanceOf(EnclaveResponse.KeyInfo.class, service.handle(new EnclaveRequest.GetPublicKey(key, path)));
    return PublicKey.ofCompressed(Hex.decode("pk", info.publicKey()));
  }

  /** A BIP-86 spend of the key's child at {@code path}, with its taproot derivation entry. */
  private Psbt taprootSpend(String key, String path, int extraOutputs, long seed) {
    PublicKey child = publicKey(key, path);
    Fingerprint fp = Fingerprint.of(publicKey(key, null));
    SpendFixtures f = new SpendFixtures(seed).spend(SpendFixtures.p2tr(child, Optional.empty()), 1_000_000);
    List<TxOut> outs = new ArrayList<>();
    outs.add(new TxOut(900_000, f.randomP2wpkh()));
    for (int i = 0; i < extraOutputs; i++) {
      outs.add(new TxOut(0, Script.of(new byte[] {0x6a, 0x01, (byte) i}))); // OP_RETURN <1 byte>
    }
    Psbt psbt = f.psbt(outs, true);
    psbt.addTapBip32Derivation(0, child.xOnly(), List.of(), new KeyOrigin(fp, DerivationPath.parse(path)));
    return psbt;
  }

  private EnclaveResponse sign(String job, String key, Psbt psbt) {
    return service.handle(new EnclaveRequest.SignPsbt(job, key, psbt.toBase64(), "testnet", true));
  }

  private long countThisHour(String key) {
    return assertInstanceOf(EnclaveResponse.PolicyInfo.class, service.handle(new EnclaveRequest.GetPolicy(key))).signaturesLastHour();
  }

  @Test
  void aTestnetKey_refusesAnInputAtAMainnetCoinTypePath_andChargesNothing() {
    hdKey("tw", "");
    var refused = assertInstanceOf(EnclaveResponse.Error.class, sign("j-main", "tw", taprootSpend("tw", "m/86'/0'/0'/0/0", 0, 1)));
    assertEquals(ErrorCode.POLICY_DENIED, refused.code());
    assertEquals("psbt: input 0: path m/86'/0'/0'/0/0 names coin type 0' under BIP-86, but the key is a testnet key"
        + " (coin type 1'); a key signs only its own network's paths unless its policy lists the path in"
        + " other_network_paths", refused.message());
    assertEquals(0, countThisHour("tw"));
    // Its own network's path signs, and paths that name no BIP-44-style purpose are not this rule's business.
    assertInstanceOf(EnclaveResponse.PsbtSigned.class, sign("j-test", "tw", taprootSpend("tw", "m/86'/1'/0'/0/0", 0, 2)));
    assertInstanceOf(EnclaveResponse.PsbtSigned.class, sign("j-other", "tw", taprootSpend("tw", "m/7'/0'/0", 0, 3)));
    assertInstanceOf(EnclaveResponse.PsbtSigned.class, sign("j-bip84", "tw", taprootSpend("tw", "m/84'/1'/5'/1/9", 0, 4)));
    assertEquals(3, countThisHour("tw"));
  }

  @Test
  void aPolicyMayListOtherNetworkPaths_explicitly() {
    hdKey("bridge", ",\n \"other_network_paths\": [\"m/86'/0'/0'\"]");
    assertInstanceOf(EnclaveResponse.PsbtSigned.class, sign("b1", "bridge", taprootSpend("bridge", "m/86'/0'/0'/0/3", 0, 5)));
    // Only under the listed prefix.
    var refused = assertInstanceOf(EnclaveResponse.Error.class,
        sign("b2", "bridge", taprootSpend("bridge", "m/86'/0'/1'/0/3", 0, 6)));
    assertEquals(ErrorCode.POLICY_DENIED, refused.code());
  }

  @Test
  void otherNetworkPaths_mustNameAnotherNetworksCoinType() {
    for (String[] c : new String[][] {
      {"[\"m/86'/1'/0'\"]", "policy.other_network_paths.0: must start with a hardened BIP-44/49/84/86 purpose"},
      {"[\"m/0/1\"]", "policy.other_network_paths.0: must start with"},
      {"[\"not a path\"]", "policy.other_network_paths.0: not a derivation path"},
      {"[]", "policy.other_network_paths"},
    }) {
      var refused = assertInstanceOf(EnclaveResponse.Error.class, service.handle(new EnclaveRequest.GenerateKey(
          "bad", HD_TESTNET, COUNTED.formatted("", ", \"other_network_paths\": " + c[0]))));
      assertEquals(ErrorCode.INVALID_REQUEST, refused.code());
      assertTrue(refused.message().startsWith(c[1]), refused.message());
    }
  }

  /**
   * Issue #14's repro: 40,000 OP_RETURN outputs (a 1.3 MB PSBT, under the input limit) signed, and
   * the answer was dropped for being over the frame. Now it is refused at once, unsigned, uncharged.
   */
  @Test
  void aPsbtWhoseAnswerCouldNotBeFramed_isRefusedBeforeSigning() {
    hdKey("big", "");
    Psbt psbt = taprootSpend("big", "m/86'/1'/0'/0/0", 40_000, 7);
    assertTrue(psbt.toBase64().length() < EnclaveRequest.MAX_PSBT_BASE64_CHARS);
    var refused = assertInstanceOf(EnclaveResponse.Error.class, sign("huge", "big", psbt));
    assertEquals(ErrorCode.RESULT_TOO_LARGE, refused.code());
    assertTrue(refused.message().startsWith("psbt: the signed answer for 1 inputs and 40001 outputs could take "),
        refused.message());
    assertTrue(refused.message().contains("nothing was signed or charged"), refused.message());
    assertEquals(0, countThisHour("big"));
  }

  @Test
  void aPsbtOverTheJobsResultBudget_isRefusedBeforeSigning() {
    hdKey("budget", "");
    Psbt psbt = taprootSpend("budget", "m/86'/1'/0'/0/0", 500, 8);
    EnclaveRequest.SignPsbt request =
        new EnclaveRequest.SignPsbt("tight", "budget", psbt.toBase64(), "testnet", true).withMaxAnswerBytes(50_000);
    var refused = assertInstanceOf(EnclaveResponse.Error.class, service.handle(request));
    assertEquals(ErrorCode.RESULT_TOO_LARGE, refused.code());
    assertTrue(refused.message().contains("over the 50000 bytes it may take (what the job's stored result may take)"),
        refused.message());
    assertEquals(0, countThisHour("budget"));
    // The same PSBT with the room a job item gives signs.
    assertInstanceOf(EnclaveResponse.PsbtSigned.class, service.handle(
        new EnclaveRequest.SignPsbt("roomy", "budget", psbt.toBase64(), "testnet", true).withMaxAnswerBytes(380_000)));
  }

  /**
   * The bound holds: across PSBTs of many shapes (outputs, finalisation, deep and shallow paths,
   * inputs that are not the key's), the real answer frame is never larger than the bound the
   * enclave worked out before signing. The bound is read from a refusal under a zero budget.
   */
  @Test
  void theAnswerBound_isNeverBelowTheRealAnswer() {
    hdKey("shape", "");
    Random random = new Random(20261202L);
    List<String> failures = new ArrayList<>();
    double tightest = 0;
    for (int i = 0; i < 40; i++) {
      int outputs = random.nextInt(5) == 0 ? random.nextInt(2_000) : random.nextInt(20);
      String path = random.nextBoolean() ? "m/86'/1'/0'/0/" + random.nextInt(1000) : "m/86'/1'/0'/1/2/3/4/5/6/7/8/9";
      boolean finalize = random.nextBoolean();
      String psbt = taprootSpend("shape", path, outputs, 100 + i).toBase64();
      var probe = assertInstanceOf(EnclaveResponse.Error.class, service.handle(
          new EnclaveRequest.SignPsbt("probe-" + i, "shape", psbt, "testnet", finalize).withMaxAnswerBytes(0)));
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("could take (\\d+) bytes").matcher(probe.message());
      assertTrue(m.find(), probe.message());
      long bound = Long.parseLong(m.group(1));
      EnclaveResponse answer = service.handle(new EnclaveRequest.SignPsbt("shape-" + i, "shape", psbt, "testnet", finalize));
      assertInstanceOf(EnclaveResponse.PsbtSigned.class, answer);
      long actual = ProtocolCodec.encode(ResponseFrame.of("r", answer)).length;
      tightest = Math.max(tightest, (double) actual / bound);
      if (actual > bound) {
        failures.add("case " + i + ": " + outputs + " outputs at " + path + (finalize ? ", finalised" : "")
            + ": answer " + actual + " > bound " + bound);
      }
    }
    assertEquals(List.of(), failures, "seed 20261202");
    assertTrue(tightest > 0.5, "the bound is not so loose that it refuses what fits: " + tightest);
    assertTrue(PsbtAnswerBound.FRAME_BUDGET < FrameCodec.DEFAULT_MAX_FRAME_BYTES);
  }
}
