package dev.keep.enclave.policy;

import static dev.keep.enclave.policy.PolicyFixtures.A;
import static dev.keep.enclave.policy.PolicyFixtures.DIGEST;
import static dev.keep.enclave.policy.PolicyFixtures.NOON;
import static dev.keep.enclave.policy.PolicyFixtures.OP_RETURN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.bitcoin.script.Hash160;
import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.script.ScriptType;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.keys.Network;
import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.SecretKey;
import dev.keep.enclave.keys.hd.DerivationPath;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.enclave.signing.SchnorrSignature;
import dev.keep.enclave.spend.Ownership;
import dev.keep.enclave.spend.SpendAnalysis;
import dev.keep.enclave.spend.SpendAnalysis.AnalysedOutput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * SpendFacts from the enclave's analysis (only verified change is ours) and the facts' invariants.
 */
class PolicyFactsTest {
  private static final LibSecp256k1Engine SECP = new LibSecp256k1Engine();
  private static final PolicyEngine ENGINE = new PolicyEngine(SECP);
  private static final PublicKey OWN = own();
  private static final Script OWN_SCRIPT = Script.p2wpkh(Hash160.of(OWN.toBytes()));
  private static final Ownership VERIFIED =
      new Ownership(
          ScriptType.P2WPKH, DerivationPath.ROOT, OWN, Optional.empty(), Optional.empty());

  @Test
  void everythingButVerifiedChangeIsExternal_opReturnIncluded() {
    SpendAnalysis analysis =
        analysis(
            List.of(
                output(0, 50_000, OWN_SCRIPT, true), // verified change
                output(1, 30_000, PolicyFixtures.script(A), false),
                output(2, 0, OP_RETURN, false),
                output(3, 20_000, OWN_SCRIPT, false)), // our script, but not verified: external
            1_500);
    SpendFacts facts = SpendFacts.from(analysis);
    assertEquals(
        new SpendFacts(
            50_000, 1_500, 141, List.of(PolicyFixtures.script(A), OP_RETURN, OWN_SCRIPT)),
        facts);
    assertFalse(facts.allOutputsChange());
  }

  @Test
  void anOpReturnCountsAgainstAmountsAndIsNeverOnAnAllowlist() {
    SpendFacts facts =
        SpendFacts.from(
            analysis(
                List.of(
                    output(0, 10_000, PolicyFixtures.script(A), false),
                    output(1, 5_000, Script.fromHex("6a0568656c6c6f"), false)),
                500));
    JobFacts job = JobFacts.psbt("p", facts, DIGEST, NOON);
    Decision amount =
        ENGINE.evaluate(
            PolicyFixtures.rule("{\"id\":\"max-tx\",\"type\":\"max_amount\",\"sats\":14999}"),
            job,
            counters());
    assertEquals("max_amount: 15,000 sats > 14,999", amount.reason());
    Decision velocity =
        ENGINE.evaluate(
            PolicyFixtures.rule(
                "{\"id\":\"v\",\"type\":\"velocity\",\"window\":\"1h\",\"sats\":14999}"),
            job,
            counters());
    assertEquals("velocity 1h: 0 + 15,000 sats > 14,999", velocity.reason());
    Decision dest =
        ENGINE.evaluate(
            PolicyFixtures.rule(
                "{\"id\":\"dest\",\"type\":\"allow_destinations\",\"addresses\":[\"" + A + "\"]}"),
            job,
            counters());
    assertEquals(
        "allow_destinations: script 6a0568656c6c6f (OP_RETURN, 7 bytes) is not on the list",
        dest.reason());
  }

  @Test
  void aTransactionOfOnlyChangeStillHasItsFeeChecked() {
    SpendFacts facts =
        SpendFacts.from(analysis(List.of(output(0, 50_000, OWN_SCRIPT, true)), 60_000));
    assertTrue(facts.allOutputsChange());
    assertEquals(0, facts.externalTotal());
    Policy p =
        PolicyFixtures.rule(
            """
            {"id":"root","all":[{"id":"max-tx","type":"max_amount","sats":1},
                                {"id":"fee","type":"max_fee","sats":50000}]}
            """);
    Decision d = ENGINE.evaluate(p, JobFacts.psbt("p", facts, DIGEST, NOON), counters());
    assertFalse(d.allowed());
    assertEquals("fee", d.ruleId());
    assertEquals("max_fee: fee 60,000 sats > 50,000", d.reason());
  }

  @Test
  void theSameScriptGivenAsATestnetAddressMatches() {
    // The analysis renders the output for the key's network; the policy was written with A.
    SpendFacts facts =
        SpendFacts.from(
            analysis(
                List.of(
                    output(
                        0,
                        10_000,
                        Script.fromHex("0014751e76e8199196d454941c45d1b3a323f1433bd6"),
                        false)),
                500));
    Policy p =
        PolicyFixtures.rule(
            "{\"id\":\"dest\",\"type\":\"allow_destinations\",\"addresses\":[\"" + A + "\"]}");
    assertTrue(ENGINE.evaluate(p, JobFacts.psbt("p", facts, DIGEST, NOON), counters()).allowed());
  }

  @Test
  void spendFactsRefuseImpossibleValues() {
    List<Script> one = List.of(OP_RETURN);
    assertThrows(IllegalArgumentException.class, () -> new SpendFacts(-1, 0, 1, one));
    assertThrows(IllegalArgumentException.class, () -> new SpendFacts(0, -1, 1, one));
    assertThrows(IllegalArgumentException.class, () -> new SpendFacts(0, 0, 0, one));
    assertThrows(IllegalArgumentException.class, () -> new SpendFacts(1, 0, 1, List.of()));
    List<Script> mutable = new ArrayList<>(one);
    SpendFacts facts = new SpendFacts(0, 0, 1, mutable);
    mutable.clear();
    assertEquals(one, facts.externalScripts(), "copied");
  }

  @Test
  void jobFactsMatchTheirKind() {
    SpendFacts spend = new SpendFacts(0, 0, 1, List.of());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new JobFacts(
                "j", JobKind.PSBT, Optional.empty(), OptionalInt.empty(), DIGEST, List.of(), NOON));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new JobFacts(
                "j",
                JobKind.MESSAGE,
                Optional.of(spend),
                OptionalInt.empty(),
                DIGEST,
                List.of(),
                NOON));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new JobFacts(
                "j",
                JobKind.NOSTR_EVENT,
                Optional.empty(),
                OptionalInt.empty(),
                DIGEST,
                List.of(),
                NOON));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new JobFacts(
                "j", JobKind.DIGEST, Optional.empty(), OptionalInt.of(1), DIGEST, List.of(), NOON));
    assertThrows(
        IllegalArgumentException.class, () -> JobFacts.nostrEvent("j", 65_536, DIGEST, NOON));
    assertThrows(IllegalArgumentException.class, () -> JobFacts.nostrEvent("j", -1, DIGEST, NOON));
    assertThrows(IllegalArgumentException.class, () -> JobFacts.message("", DIGEST, NOON));
    assertThrows(IllegalArgumentException.class, () -> JobFacts.message("j", null, NOON));
    assertThrows(IllegalArgumentException.class, () -> JobFacts.message("j", DIGEST, null));
    Approval approval = new Approval("a", SchnorrSignature.of(new byte[64]));
    JobFacts message = JobFacts.message("j", DIGEST, NOON);
    assertEquals(256, message.withApprovals(Collections.nCopies(256, approval)).approvals().size());
    assertThrows(
        IllegalArgumentException.class,
        () -> message.withApprovals(Collections.nCopies(257, approval)));
    assertEquals(0, message.externalSats());
    assertEquals(
        7,
        JobFacts.psbt("p", new SpendFacts(7, 0, 1, List.of(OP_RETURN)), DIGEST, NOON)
            .externalSats());
  }

  private static SpendAnalysis analysis(List<AnalysedOutput> outputs, long fee) {
    long outputTotal = outputs.stream().mapToLong(o -> o.output().amount()).sum();
    long change =
        outputs.stream()
            .filter(o -> o.change().isPresent())
            .mapToLong(o -> o.output().amount())
            .sum();
    Transaction tx =
        new Transaction(2, List.of(), outputs.stream().map(AnalysedOutput::output).toList(), 0);
    return new SpendAnalysis(
        0,
        Network.TESTNET,
        tx,
        List.of(),
        outputs,
        outputTotal + fee,
        outputTotal,
        fee,
        141,
        outputTotal - change,
        change,
        Optional.empty());
  }

  private static AnalysedOutput output(
      int index, long amount, Script script, boolean verifiedChange) {
    return new AnalysedOutput(
        index,
        new TxOut(amount, script),
        Optional.empty(),
        verifiedChange ? Optional.of(VERIFIED) : Optional.empty());
  }

  private static BucketCounters counters() {
    return new BucketCounters();
  }

  private static PublicKey own() {
    byte[] secret = new byte[32];
    secret[31] = 42;
    try (SecretKey key = SecretKey.adopt(secret)) {
      return SECP.publicKey(key);
    }
  }
}
