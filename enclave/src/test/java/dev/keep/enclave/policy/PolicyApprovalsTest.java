package dev.keep.enclave.policy;

import static dev.keep.enclave.policy.PolicyFixtures.NOON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keep.enclave.keys.SecretKey;
import dev.keep.enclave.signing.Digest32;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.enclave.signing.Message;
import dev.keep.enclave.signing.SchnorrSignature;
import dev.keep.enclave.signing.TaggedHash;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** 2-of-3 approvals with real BIP-340 signatures from libsecp256k1. */
class PolicyApprovalsTest {
  private static final LibSecp256k1Engine SECP = new LibSecp256k1Engine();
  private static final PolicyEngine ENGINE = new PolicyEngine(SECP);
  private static final Digest32 DIGEST =
      TaggedHash.of("keep/test-approval", "job-1".getBytes(StandardCharsets.UTF_8));
  private static final Digest32 OTHER =
      TaggedHash.of("keep/test-approval", "job-2".getBytes(StandardCharsets.UTF_8));

  private static final Policy TWO_OF_THREE =
      PolicyFixtures.rule(
          """
          {"id":"two-of-three","type":"approvals","threshold":2,
           "approvers":{"alice":"%s","bob":"%s","carol":"%s"}}
          """
              .formatted(xOnly(1), xOnly(2), xOnly(3)));

  @Test
  void noApprovals() {
    assertDecision(false, "approvals: 0 valid, 2 required", List.of());
  }

  @Test
  void oneValidSignatureIsNotEnough() {
    assertDecision(false, "approvals: 1 valid, 2 required", List.of(sign("alice", 1, DIGEST)));
  }

  @Test
  void twoValidSignaturesAllow() {
    assertDecision(
        true,
        "approvals: 2 valid, 2 required",
        List.of(sign("alice", 1, DIGEST), sign("carol", 3, DIGEST)));
  }

  @Test
  void allThreeAllow() {
    assertDecision(
        true,
        "approvals: 3 valid, 2 required",
        List.of(sign("alice", 1, DIGEST), sign("bob", 2, DIGEST), sign("carol", 3, DIGEST)));
  }

  @Test
  void aBadSignatureIsIgnoredAndNamed() {
    assertDecision(
        false,
        "approvals: 1 valid, 2 required (bob: signature does not verify)",
        List.of(sign("alice", 1, DIGEST), sign("bob", 2, OTHER)));
  }

  @Test
  void aDuplicateApproverCountsOnce() {
    assertDecision(
        false,
        "approvals: 1 valid, 2 required",
        List.of(
            sign("alice", 1, DIGEST), sign("alice", 1, DIGEST, 7), sign("alice", 1, DIGEST, 9)));
  }

  @Test
  void aSignatureUnderTheWrongKeyIsIgnored() {
    // carol's key signs, claiming to be bob.
    assertDecision(
        false,
        "approvals: 1 valid, 2 required (bob: signature does not verify)",
        List.of(sign("alice", 1, DIGEST), sign("bob", 3, DIGEST)));
  }

  @Test
  void anUnknownApproverIsIgnoredAndNamed() {
    assertDecision(
        false,
        "approvals: 1 valid, 2 required (mallory: not an approver)",
        List.of(sign("alice", 1, DIGEST), sign("mallory", 4, DIGEST)));
  }

  @Test
  void aBadSignatureFollowedByAGoodOneFromTheSameApproverCounts() {
    assertDecision(
        true,
        "approvals: 2 valid, 2 required",
        List.of(sign("bob", 2, OTHER), sign("alice", 1, DIGEST), sign("bob", 2, DIGEST)));
  }

  @Test
  void manyProblemsAreCutShort() {
    List<Approval> approvals = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      approvals.add(new Approval("stranger" + i, sign("x", 5, DIGEST).signature()));
    }
    String reason = ENGINE.evaluate(TWO_OF_THREE, job(approvals), counters()).reason();
    assertEquals(
        "approvals: 0 valid, 2 required (stranger0: not an approver; stranger1: not an approver;"
            + " stranger2: not an approver; stranger3: not an approver; stranger4: not an approver;"
            + " stranger5: not an approver; stranger6: not an approver; stranger7: not an approver;"
            + " and 2 more)",
        reason);
  }

  @Test
  void approvalsInsideAny_aSmallSpendNeedsNone() {
    Policy p =
        PolicyFixtures.rule(
            """
            {"id":"either","any":[
              {"id":"small","type":"max_amount","sats":1000},
              {"id":"two","type":"approvals","threshold":2,"approvers":{"alice":"%s","bob":"%s"}}]}
            """
                .formatted(xOnly(1), xOnly(2)));
    JobFacts small = PolicyFixtures.psbt("p", 1000, NOON);
    JobFacts large = PolicyFixtures.psbt("p", 1001, NOON);
    assertEquals("small", ENGINE.evaluate(p, small, counters()).ruleId());
    Decision denied =
        ENGINE.evaluate(
            p, large.withApprovals(List.of(sign("alice", 1, PolicyFixtures.DIGEST))), counters());
    assertEquals("either", denied.ruleId());
    assertEquals(
        "any: none allows (max_amount: 1,001 sats > 1,000; approvals: 1 valid, 2 required)",
        denied.reason());
    Decision approved =
        ENGINE.evaluate(
            p,
            large.withApprovals(
                List.of(
                    sign("alice", 1, PolicyFixtures.DIGEST),
                    sign("bob", 2, PolicyFixtures.DIGEST))),
            counters());
    assertEquals("two", approved.ruleId());
    assertEquals(true, approved.allowed());
  }

  @Test
  void anApproverNameMustBeOneAPolicyCouldHold() {
    SchnorrSignature sig = sign("alice", 1, DIGEST).signature();
    assertThrows(IllegalArgumentException.class, () -> new Approval("al ice", sig));
    assertThrows(IllegalArgumentException.class, () -> new Approval("", sig));
    assertThrows(IllegalArgumentException.class, () -> new Approval("alice", null));
  }

  private static void assertDecision(boolean allowed, String reason, List<Approval> approvals) {
    Decision d = ENGINE.evaluate(TWO_OF_THREE, job(approvals), counters());
    assertEquals(allowed, d.allowed(), d.reason());
    assertEquals("two-of-three", d.ruleId());
    assertEquals(reason, d.reason());
  }

  private static JobFacts job(List<Approval> approvals) {
    return JobFacts.message("job-1", DIGEST, NOON).withApprovals(approvals);
  }

  private static BucketCounters counters() {
    return new BucketCounters();
  }

  private static Approval sign(String name, int secret, Digest32 digest) {
    return sign(name, secret, digest, 0);
  }

  /**
   * BIP-340 §Default Signing with secret key {@code secret} (a small scalar) and aux bytes {@code
   * aux}.
   */
  private static Approval sign(String name, int secret, Digest32 digest, int aux) {
    byte[] auxBytes = new byte[32];
    auxBytes[31] = (byte) aux;
    try (SecretKey key = secret(secret)) {
      return new Approval(name, SECP.signSchnorr(Message.of(digest), key, auxBytes));
    }
  }

  private static String xOnly(int secret) {
    try (SecretKey key = secret(secret)) {
      return SECP.publicKey(key).xOnly().toHex();
    }
  }

  private static SecretKey secret(int n) {
    byte[] bytes = new byte[32];
    bytes[31] = (byte) n;
    return SecretKey.adopt(bytes);
  }
}
