package dev.keep.enclave.policy;

import static dev.keep.enclave.policy.PolicyFixtures.NOON;
import static dev.keep.enclave.policy.PolicyFixtures.message;
import static dev.keep.enclave.policy.PolicyFixtures.psbt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.signing.LibSecp256k1Engine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Default deny, the published example, and charging: only on allow, once per job id. */
class PolicyEngineTest {
  private static final PolicyEngine ENGINE = new PolicyEngine(new LibSecp256k1Engine());

  /** MaxAmountSats(1_000_000) and MaxPerHour(10), the published example. */
  private static final Policy PUBLISHED =
      PolicyFixtures.rule(
          """
          {"id":"root","all":[
            {"id":"max-tx","type":"max_amount","sats":1000000},
            {"id":"per-hour","type":"max_count","window":"1h","count":10}]}
          """);

  private static final Policy VELOCITY =
      PolicyFixtures.rule(
          "{\"id\":\"velocity-24h\",\"type\":\"velocity\",\"window\":\"24h\",\"sats\":1500000}");

  private static final Duration DAY = Duration.ofDays(1);

  private static long charged(BucketCounters counters) {
    return counters.count(NOON.plus(Duration.ofHours(2)), DAY);
  }

  @Test
  void aKeyWithNoPolicySignsNothing() {
    BucketCounters counters = new BucketCounters();
    for (JobFacts job : List.of(message("m", NOON), psbt("p", 1, NOON))) {
      Decision d = ENGINE.evaluateAndCharge(null, job, counters);
      assertEquals(
          new Decision(false, "default-deny", "key has no policy: default deny", List.of()), d);
    }
    assertEquals(0, charged(counters));
  }

  @Test
  void publishedExample_1000001SatsDeniedByMaxAmount() {
    BucketCounters counters = new BucketCounters();
    Decision d = ENGINE.evaluateAndCharge(PUBLISHED, psbt("big", 1_000_001, NOON), counters);
    assertFalse(d.allowed());
    assertEquals("max-tx", d.ruleId());
    assertEquals("max_amount: 1,000,001 sats > 1,000,000", d.reason());
    assertEquals(0, charged(counters), "a denied job is not charged");
    assertTrue(
        ENGINE.evaluateAndCharge(PUBLISHED, psbt("limit", 1_000_000, NOON), counters).allowed());
  }

  /**
   * The 1h window is answered in one-minute buckets: a signature counts for the whole hour and at
   * most a minute more, never less.
   */
  @Test
  void publishedExample_11thSignatureInAnHourDenied_allowedOnceTheWindowRolls() {
    BucketCounters counters = new BucketCounters();
    for (int i = 0; i < 10; i++) {
      Decision d =
          ENGINE.evaluateAndCharge(
              PUBLISHED, message("job-" + i, NOON.plusSeconds(60L * i)), counters);
      assertTrue(d.allowed(), "signature " + (i + 1) + ": " + d.reason());
    }
    Decision eleventh =
        ENGINE.evaluateAndCharge(PUBLISHED, message("job-10", NOON.plusSeconds(600)), counters);
    assertFalse(eleventh.allowed());
    assertEquals("per-hour", eleventh.ruleId());
    assertEquals("max_count 1h: 10 + 1 > 10", eleventh.reason());
    // One second before the first signature is an hour old, it still counts; at the hour too.
    Instant almost = NOON.plus(Duration.ofHours(1)).minusSeconds(1);
    assertFalse(ENGINE.evaluateAndCharge(PUBLISHED, message("job-10", almost), counters).allowed());
    assertFalse(ENGINE.evaluateAndCharge(PUBLISHED, message("job-10", NOON.plus(Duration.ofHours(1))), counters)
        .allowed(), "counted at most one bucket longer");
    Decision rolled =
        ENGINE.evaluateAndCharge(
            PUBLISHED, message("job-10", NOON.plus(Duration.ofHours(1)).plusSeconds(60)), counters);
    assertTrue(rolled.allowed(), rolled.reason());
    assertEquals(11, counters.count(NOON.plus(Duration.ofHours(1)).plusSeconds(60), DAY));
  }

  @Test
  void anAllowedJobIsChargedOneSignatureAndItsExternalSats() {
    BucketCounters counters = new BucketCounters();
    ENGINE.evaluateAndCharge(VELOCITY, psbt("p", 250_000, NOON), counters);
    assertEquals(1, charged(counters));
    assertEquals(250_000, counters.amount(NOON, DAY));
  }

  @Test
  void aMessageIsChargedZeroSats() {
    BucketCounters counters = new BucketCounters();
    ENGINE.evaluateAndCharge(PUBLISHED, message("m", NOON), counters);
    assertEquals(1, charged(counters));
    assertEquals(0, counters.amount(NOON, DAY));
  }

  @Test
  void aDryRunChargesNothing() {
    BucketCounters counters = new BucketCounters();
    Decision d = ENGINE.evaluate(VELOCITY, psbt("p", 250_000, NOON), counters);
    assertTrue(d.allowed());
    assertEquals(
        List.of(new Trace("velocity-24h", "velocity", Outcome.ALLOW, d.reason())), d.trace());
    assertEquals(0, charged(counters));
  }

  /**
   * The engine charges each allowed decision. Once per job id is the host's half of the contract:
   * a job's charge is stored in the same write as its result, and a job delivered again after a
   * failed write is decided on the stored state, which does not hold its charge (PolicyServiceTest
   * and the system tests).
   */
  @Test
  void velocityCountsEveryCharge() {
    BucketCounters counters = new BucketCounters();
    assertTrue(ENGINE.evaluateAndCharge(VELOCITY, psbt("p", 1_000_000, NOON), counters).allowed());
    Decision next = ENGINE.evaluate(VELOCITY, psbt("q", 500_001, NOON), counters);
    assertEquals("velocity 24h: 1,000,000 + 500,001 sats > 1,500,000", next.reason());
  }

  @Test
  void concurrentJobsCannotBothTakeTheLastSlot() throws Exception {
    BucketCounters counters = new BucketCounters();
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Decision>> results = new ArrayList<>();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 50; i++) {
        JobFacts job = message("job-" + i, NOON);
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return ENGINE.evaluateAndCharge(PUBLISHED, job, counters);
                }));
      }
      start.countDown();
      long allowed = 0;
      for (Future<Decision> f : results) {
        allowed += f.get().allowed() ? 1 : 0;
      }
      assertEquals(10, allowed);
    }
    assertEquals(10, charged(counters));
  }

  @Test
  void traceListsEveryRuleDepthFirst() {
    Policy p =
        PolicyFixtures.rule(
            """
            {"id":"root","all":[
              {"id":"kinds","type":"allowed_kinds","kinds":["psbt"]},
              {"id":"either","any":[
                {"id":"small","type":"max_amount","sats":10},
                {"id":"never","not":{"id":"nostr","type":"nostr_event_kinds","kinds":[1]}}]},
              {"id":"max-tx","type":"max_amount","sats":100}]}
            """);
    Decision d = ENGINE.evaluate(p, psbt("p", 101, NOON), new BucketCounters());
    assertEquals("either", d.ruleId());
    assertEquals(
        List.of(
            new Trace(
                "root",
                "all",
                Outcome.DENY,
                "decided by either: any: none allows (max_amount: 101 sats > 10)"),
            new Trace(
                "kinds", "allowed_kinds", Outcome.ALLOW, "allowed_kinds: psbt is one of psbt"),
            new Trace("either", "any", Outcome.DENY, "any: none allows (max_amount: 101 sats > 10)"),
            new Trace("small", "max_amount", Outcome.DENY, "max_amount: 101 sats > 10"),
            new Trace(
                "never",
                "not",
                Outcome.NOT_APPLICABLE,
                "not(nostr): nostr_event_kinds: does not apply to a psbt job"),
            new Trace(
                "nostr",
                "nostr_event_kinds",
                Outcome.NOT_APPLICABLE,
                "nostr_event_kinds: does not apply to a psbt job"),
            new Trace("max-tx", "max_amount", Outcome.DENY, "max_amount: 101 sats > 100")),
        d.trace());
    assertThrows(UnsupportedOperationException.class, () -> d.trace().clear());
  }

  @Test
  void factsAndCountersAreRequired() {
    BucketCounters counters = new BucketCounters();
    assertThrows(IllegalArgumentException.class, () -> ENGINE.evaluate(PUBLISHED, null, counters));
    assertThrows(
        IllegalArgumentException.class, () -> ENGINE.evaluate(PUBLISHED, message("m", NOON), null));
    assertThrows(
        IllegalArgumentException.class,
        () -> ENGINE.evaluateAndCharge(PUBLISHED, message("m", NOON), null));
    assertThrows(IllegalArgumentException.class, () -> new PolicyEngine(null));
  }
}
