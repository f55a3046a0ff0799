package dev.keep.enclave.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.keys.KeyStore;
import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.SecretKey;
import dev.keep.enclave.keys.hd.DerivationPath;
import dev.keep.enclave.keys.hd.Fingerprint;
import dev.keep.enclave.policy.ApprovalDigests;
import dev.keep.enclave.policy.PolicyHash;
import dev.keep.enclave.psbt.KeyOrigin;
import dev.keep.enclave.psbt.Psbt;
import dev.keep.enclave.psbt.sign.SpendFixtures;
import dev.keep.enclave.seal.HostShelf;
import dev.keep.enclave.seal.KmsSealedVault;
import dev.keep.enclave.seal.RecipientKey;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.enclave.signing.Message;
import dev.keep.enclave.signing.Signer;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveRequest.KeySpec;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.ErrorCode;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policies through the enclave service: default deny, the published example, restarts, updates, dry runs. */
class PolicyServiceTest {
  private static final LibSecp256k1Engine ENGINE = new LibSecp256k1Engine();
  private static final KeySpec TESTNET = new KeySpec("single", "testnet", false);
  private static final Instant NOON = Instant.parse("2026-11-24T12:00:00Z");

  /** The deployment guide's example: MaxAmountSats(1_000_000) and MaxPerHour(10). */
  private static final String EXAMPLE = TestPolicies.parse("""
      {"version": 1, "rule": {"id": "root", "all": [
        {"id": "kinds", "type": "allowed_kinds", "kinds": ["message", "psbt"]},
        {"id": "MaxAmountSats", "type": "max_amount", "sats": 1000000},
        {"id": "MaxPerHour", "type": "max_count", "window": "1h", "count": 10}]}}
      """);

  private final AtomicReference<Instant> now = new AtomicReference<>(NOON);
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  };

  private EnclaveService service(KeyStore keys) {
    return new EnclaveService(keys, new Signer(ENGINE, new SecureRandom()), EnclaveMode.LOCAL, clock);
  }

  private static EnclaveResponse sign(EnclaveService s, String key, String jobId) {
    return s.handle(new EnclaveRequest.SignMessage(jobId, key, "68656c6c6f2c20706f6c696379", "bip340", null));
  }

  private static EnclaveResponse.Error denied(EnclaveResponse r) {
    EnclaveResponse.Error e = assertInstanceOf(EnclaveResponse.Error.class, r);
    assertEquals(ErrorCode.POLICY_DENIED, e.code(), e.message());
    return e;
  }

  @Test
  void aKeyWithNoPolicySignsNothing() {
    EnclaveService s = service(KeyStore.inMemory());
    s.handle(new EnclaveRequest.GenerateKey("bare", TESTNET));
    assertEquals("policy rule 'default-deny': key has no policy: default deny", denied(sign(s, "bare", "j1")).message());
  }

  @Test
  void theElevenSignatureInAnHourIsDenied_andTheWindowRollsOver() {
    EnclaveService s = service(KeyStore.inMemory());
    s.handle(new EnclaveRequest.GenerateKey("k", TESTNET, EXAMPLE));
    for (int i = 1; i <= 10; i++) {
      assertInstanceOf(EnclaveResponse.SchnorrSigned.class, sign(s, "k", "job-" + i));
      now.set(now.get().plusSeconds(60));
    }
    assertEquals("policy rule 'MaxPerHour': max_count 1h: 10 + 1 > 10", denied(sign(s, "k", "job-11")).message());
    // A redelivery of an allowed job is answered alike and charged once.
    assertInstanceOf(EnclaveResponse.SchnorrSigned.class, sign(s, "k", "job-10"));
    var info = assertInstanceOf(EnclaveResponse.PolicyInfo.class, s.handle(new EnclaveRequest.GetPolicy("k")));
    assertEquals(10, info.signaturesLastHour());
    now.set(NOON.plusSeconds(3_600 + 1)); // an hour: counted up to one bucket (a minute) longer
    denied(sign(s, "k", "job-12"));
    now.set(NOON.plusSeconds(3_600 + 60)); // the first signature left the window
    assertInstanceOf(EnclaveResponse.SchnorrSigned.class, sign(s, "k", "job-13"));
  }

  @Test
  void aPsbtAboveTheAmountLimitIsDenied_andOneAtTheLimitSigned() {
    EnclaveService s = service(KeyStore.inMemory());
    var key = assertInstanceOf(EnclaveResponse.KeyInfo.class,
        s.handle(new EnclaveRequest.GenerateKey("k", TESTNET, EXAMPLE)));
    PublicKey pub = PublicKey.ofCompressed(Hex.decode("pk", key.publicKey()));
    var f = new SpendFixtures(3).spend(SpendFixtures.p2tr(pub, Optional.empty()), 2_000_000);
    String over = f.psbt(List.of(new TxOut(1_000_001, f.randomP2wpkh())), true).toBase64();
    String at = f.psbt(List.of(new TxOut(1_000_000, f.randomP2wpkh())), true).toBase64();
    EnclaveResponse.Error e = denied(s.handle(new EnclaveRequest.SignPsbt("p1", "k", over, "testnet", false)));
    assertEquals("policy rule 'MaxAmountSats': max_amount: 1,000,001 sats > 1,000,000", e.message());
    assertInstanceOf(EnclaveResponse.PsbtSigned.class, s.handle(new EnclaveRequest.SignPsbt("p2", "k", at, "testnet", false)));
  }

  /**
   * The bypasses the issue lists, with real PSBTs through the service: each is refused by the rule
   * it tries to slip past, and nothing is signed or charged.
   */
  @Test
  void bypassAttempts_areRefusedByTheRuleTheyTryToSlipPast() {
    String guarded = TestPolicies.parse("""
        {"version": 1, "rule": {"id": "root", "all": [
          {"id": "kinds", "type": "allowed_kinds", "kinds": ["psbt"]},
          {"id": "MaxAmountSats", "type": "max_amount", "sats": 1000000},
          {"id": "fee", "type": "max_fee", "sats": 50000},
          {"id": "payees", "type": "allow_destinations", "addresses": ["tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"]}]}}
        """);
    EnclaveService s = service(KeyStore.inMemory());
    var key = assertInstanceOf(EnclaveResponse.KeyInfo.class, s.handle(new EnclaveRequest.GenerateKey("k", TESTNET, guarded)));
    PublicKey pub = PublicKey.ofCompressed(Hex.decode("pk", key.publicKey()));
    Script own = SpendFixtures.p2wpkh(pub);
    Script payee = Script.p2wpkh(Hex.decode("hash", "751e76e8199196d454941c45d1b3a323f1433bd6"));
    var f = new SpendFixtures(5).spend(own, 3_000_000);

    // Change that is not verifiably ours: the derivation entry names the key, the script is not its.
    Psbt fakeChange = f.psbt(List.of(new TxOut(10_000, payee), new TxOut(2_980_000, f.randomP2wpkh())), false);
    fakeChange.addOutputBip32Derivation(1, pub, new KeyOrigin(Fingerprint.of(pub), DerivationPath.parse("m")));
    assertEquals("policy rule 'MaxAmountSats': max_amount: 2,990,000 sats > 1,000,000",
        denied(s.handle(new EnclaveRequest.SignPsbt("b1", "k", fakeChange.toBase64(), "testnet", false))).message());

    // An OP_RETURN output carrying value counts against the amount limit ...
    Psbt burn = f.psbt(List.of(new TxOut(1_000_001, Script.fromHex("6a0568656c6c6f")), new TxOut(1_990_000, own)), false);
    assertEquals("policy rule 'MaxAmountSats': max_amount: 1,000,001 sats > 1,000,000",
        denied(s.handle(new EnclaveRequest.SignPsbt("b2", "k", burn.toBase64(), "testnet", false))).message());
    // ... and, with no value, is still an external destination that is not on the allowlist.
    Psbt memo = f.psbt(List.of(new TxOut(10_000, payee), new TxOut(0, Script.fromHex("6a0568656c6c6f")),
        new TxOut(2_980_000, own)), false);
    assertTrue(denied(s.handle(new EnclaveRequest.SignPsbt("b3", "k", memo.toBase64(), "testnet", false))).message()
        .startsWith("policy rule 'payees': allow_destinations: script 6a0568656c6c6f (OP_RETURN"));

    // Every output is change: nothing goes out, and the fee is still checked.
    Psbt allChange = f.psbt(List.of(new TxOut(2_900_000, own)), false);
    assertEquals("policy rule 'fee': max_fee: fee 100,000 sats > 50,000",
        denied(s.handle(new EnclaveRequest.SignPsbt("b4", "k", allChange.toBase64(), "testnet", false))).message());

    // A network relabel is refused before the policy is asked.
    Psbt fine = f.psbt(List.of(new TxOut(10_000, payee), new TxOut(2_980_000, own)), false);
    var relabel = assertInstanceOf(EnclaveResponse.Error.class,
        s.handle(new EnclaveRequest.SignPsbt("b5", "k", fine.toBase64(), "mainnet", false)));
    assertEquals(ErrorCode.INVALID_REQUEST, relabel.code());
    // A policy naming another network's rendering of the payee is refused when it is set.
    var mainnetPayee = assertInstanceOf(EnclaveResponse.Error.class, s.handle(new EnclaveRequest.GenerateKey("k2", TESTNET,
        TestPolicies.parse("""
            {"version": 1, "rule": {"id": "payees", "type": "allow_destinations",
             "addresses": ["bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"]}}
            """))));
    assertEquals(ErrorCode.INVALID_REQUEST, mainnetPayee.code());
    assertTrue(mainnetPayee.message().startsWith("policy.rule.addresses.0:"), mainnetPayee.message());

    // Nothing above was charged; the honest payment is signed.
    assertInstanceOf(EnclaveResponse.PsbtSigned.class,
        s.handle(new EnclaveRequest.SignPsbt("b6", "k", fine.toBase64(), "testnet", false)));
    var info = assertInstanceOf(EnclaveResponse.PolicyInfo.class, s.handle(new EnclaveRequest.GetPolicy("k")));
    assertEquals(1, info.signaturesLastHour());
    assertEquals(10_000, info.satsLastHour());
  }

  /** The 11th signature in the hour is refused after a restart too: the charges were sealed with each signature. */
  @Test
  void chargesSurviveARestart() throws Exception {
    HostShelf host = new HostShelf();
    RecipientKey firstBoot = RecipientKey.generate(new SecureRandom());
    EnclaveService first = service(KeyStore.open(new KmsSealedVault(firstBoot, new SecureRandom())));
    host.generate(first, firstBoot, new EnclaveRequest.GenerateKey("k", TESTNET, EXAMPLE));
    for (int i = 1; i <= 10; i++) {
      assertInstanceOf(EnclaveResponse.SchnorrSigned.class,
          host.call(first, new EnclaveRequest.SignMessage("job-" + i, "k", "68656c6c6f2c20706f6c696379", "bip340", null)));
    }
    // The policy, then one state per charge: the host keeps the newest.
    assertEquals(11, host.states.get("k").sequence());

    RecipientKey secondBoot = RecipientKey.generate(new SecureRandom());
    EnclaveService second = service(KeyStore.open(new KmsSealedVault(secondBoot, new SecureRandom())));
    host.unsealAll(second, secondBoot);
    denied(sign(second, "k", "job-11"));
    var info = assertInstanceOf(EnclaveResponse.PolicyInfo.class, second.handle(new EnclaveRequest.GetPolicy("k")));
    assertEquals(1, info.version());
    assertEquals(10, info.signaturesLastHour());
  }

  @Test
  void aDryRunDecidesWithoutSigningOrCharging() {
    EnclaveService s = service(KeyStore.inMemory());
    s.handle(new EnclaveRequest.GenerateKey("k", TESTNET, EXAMPLE));
    var request = new EnclaveRequest.SignMessage("dry-1", "k", "6869", "bip340", null);
    var d = assertInstanceOf(EnclaveResponse.PolicyDecision.class, s.handle(new EnclaveRequest.EvaluatePolicy(request)));
    assertTrue(d.allowed());
    assertEquals(4, d.trace().size());
    var info = assertInstanceOf(EnclaveResponse.PolicyInfo.class, s.handle(new EnclaveRequest.GetPolicy("k")));
    assertEquals(0, info.signaturesLastHour());
  }

  @Test
  void anUpdateNeedsTheCurrentAdmins_andAHigherVersion() {
    SecretKey[] admins = {SecretKey.adopt(key(1)), SecretKey.adopt(key(2)), SecretKey.adopt(key(3))};
    String[] x = new String[3];
    for (int i = 0; i < 3; i++) {
      x[i] = ENGINE.publicKey(admins[i]).xOnly().toHex();
    }
    String v1 = TestPolicies.parse("""
        {"version": 1, "rule": {"id": "small", "type": "max_amount", "sats": 1000},
         "admins": {"threshold": 2, "keys": {"a": "%s", "b": "%s", "c": "%s"}}}
        """.formatted(x[0], x[1], x[2]));
    String v2 = TestPolicies.parse("""
        {"version": 2, "rule": {"id": "larger", "type": "max_amount", "sats": 5000},
         "admins": {"threshold": 2, "keys": {"a": "%s", "b": "%s", "c": "%s"}}}
        """.formatted(x[0], x[1], x[2]));
    EnclaveService s = service(KeyStore.inMemory());
    s.handle(new EnclaveRequest.GenerateKey("k", TESTNET, v1));
    var current = assertInstanceOf(EnclaveResponse.PolicyInfo.class, s.handle(new EnclaveRequest.GetPolicy("k")));

    // The host alone cannot loosen it.
    denied(s.handle(new EnclaveRequest.SetPolicy("k", v2, null)));
    var digest = ApprovalDigests.policyUpdate("k", hash(current.hash()),
        hash(parseHash(v2)), 2);
    String sigA = ENGINE.signSchnorr(Message.of(digest), admins[0], new byte[32]).toHex();
    String sigB = ENGINE.signSchnorr(Message.of(digest), admins[1], new byte[32]).toHex();
    EnclaveResponse.Error one = denied(s.handle(new EnclaveRequest.SetPolicy("k", v2,
        List.of(new EnclaveRequest.Approval("a", sigA)))));
    assertTrue(one.message().startsWith("policy update: 1 valid admin approvals, 2 required"), one.message());
    var updated = assertInstanceOf(EnclaveResponse.PolicyInfo.class, s.handle(new EnclaveRequest.SetPolicy("k", v2,
        List.of(new EnclaveRequest.Approval("a", sigA), new EnclaveRequest.Approval("b", sigB)))));
    assertEquals(2, updated.version());
    // Replaying v2 (same version) is refused.
    var again = assertInstanceOf(EnclaveResponse.Error.class, s.handle(new EnclaveRequest.SetPolicy("k", v2,
        List.of(new EnclaveRequest.Approval("a", sigA), new EnclaveRequest.Approval("b", sigB)))));
    assertEquals(ErrorCode.INVALID_REQUEST, again.code());
  }

  private static byte[] key(int n) {
    byte[] k = new byte[32];
    k[31] = (byte) n;
    return k;
  }

  private static PolicyHash hash(String hex) {
    return PolicyHash.of(Hex.decode("hash", hex));
  }

  private static String parseHash(String document) {
    try {
      return dev.keep.enclave.policy.Policy.parse(document, dev.keep.enclave.keys.Network.TESTNET).hash().toHex();
    } catch (dev.keep.enclave.policy.PolicyException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Issue #14: a policy with {@code "sats"} twice reached the enclave as a tree holding only the
   * last value, so admins who read one limit approved another. The text now travels as written, and
   * the enclave refuses it, whatever approvals come with it and whichever request carries it.
   */
  @Test
  void aPolicyWithADuplicatedKey_isRefusedByTheEnclave_asTheOperatorWroteIt() throws Exception {
    String twice = """
        {"version": 2, "rule": {"id": "payout", "type": "max_amount", "sats": 1000000, "sats": 900000000}}
        """;
    EnclaveService s = service(KeyStore.inMemory());
    s.handle(new EnclaveRequest.GenerateKey("k", TESTNET, EXAMPLE));
    for (EnclaveRequest request : List.of(
        new EnclaveRequest.SetPolicy("k", twice, null),
        new EnclaveRequest.GenerateKey("k2", TESTNET, twice),
        new EnclaveRequest.ImportKey("k3", TESTNET, "00".repeat(31) + "05", twice))) {
      // Through the wire codec, as the CLI and the worker send it.
      var frame = dev.keep.schema.protocol.ProtocolCodec.decodeRequest(
          dev.keep.schema.protocol.ProtocolCodec.encode(dev.keep.schema.protocol.RequestFrame.of("1", request)));
      var refused = assertInstanceOf(EnclaveResponse.Error.class, s.handle(frame.body()));
      assertEquals(ErrorCode.INVALID_REQUEST, refused.code());
      assertEquals("policy: duplicate key at line 1, column 86", refused.message());
    }
    var kept = assertInstanceOf(EnclaveResponse.PolicyInfo.class, s.handle(new EnclaveRequest.GetPolicy("k")));
    assertEquals(1, kept.version());
    assertEquals(ErrorCode.KEY_NOT_FOUND,
        assertInstanceOf(EnclaveResponse.Error.class, s.handle(new EnclaveRequest.GetPolicy("k2"))).code());
  }
}
