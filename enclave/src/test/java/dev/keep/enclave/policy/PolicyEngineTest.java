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

  @Test
  void aKeyWithNoPolicySignsNothing() {
    MemoryCounters counters = new MemoryCounters(Duration.ofHours(1));
    for (JobFacts job : List.of(message("m", NOON), psbt("p", 1, NOON))) {
      Decision d = ENGINE.evaluateAndCharge(null, job, counters);
      assertEquals(
          new Decision(false, "default-deny", "key has no policy: default deny", List.of()), d);
    }
    assertEquals(List.of(), counters.charges());
  }

  @Test
  void publishedExample_1000001SatsDeniedByMaxAmount() {
    MemoryCounters counters = MemoryCounters.forPolicy(PUBLISHED);
    Decision d = ENGINE.evaluateAndCharge(PUBLISHED, psbt("big", 1_000_001, NOON), counters);
    assertFalse(d.allowed());
    assertEquals("max-tx", d.ruleId());
    assertEquals("max_amount: 1,000,001 sats > 1,000,000", d.reason());
    assertEquals(List.of(), counters.charges(), "a denied job is not charged");
    assertTrue(
        ENGINE.evaluateAndCharge(PUBLISHED, psbt("limit", 1_000_000, NOON), counters).allowed());
  }

  @Test
  void publishedExample_11thSignatureInAnHourDenied_allowedOnceTheWindowRolls() {
    MemoryCounters counters = MemoryCounters.forPolicy(PUBLISHED);
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
    // One second before the first signature is an hour old, it still counts.
    Instant almost = NOON.plus(Duration.ofHours(1)).minusSeconds(1);
    assertFalse(ENGINE.evaluateAndCharge(PUBLISHED, message("job-10", almost), counters).allowed());
    Decision rolled =
        ENGINE.evaluateAndCharge(
            PUBLISHED, message("job-10", NOON.plus(Duration.ofHours(1))), counters);
    assertTrue(rolled.allowed(), rolled.reason());
    assertEquals(11, counters.charges().size());
  }

  @Test
  void anAllowedJobIsChargedOneSignatureAndItsExternalSats() {
    MemoryCounters counters = MemoryCounters.forPolicy(VELOCITY);
    ENGINE.evaluateAndCharge(VELOCITY, psbt("p", 250_000, NOON), counters);
    assertEquals(List.of(new Charge("p", NOON, 250_000)), counters.charges());
  }

  @Test
  void aMessageIsChargedZeroSats() {
    MemoryCounters counters = MemoryCounters.forPolicy(PUBLISHED);
    ENGINE.evaluateAndCharge(PUBLISHED, message("m", NOON), counters);
    assertEquals(List.of(new Charge("m", NOON, 0)), counters.charges());
  }

  @Test
  void aDryRunChargesNothing() {
    MemoryCounters counters = MemoryCounters.forPolicy(VELOCITY);
    Decision d = ENGINE.evaluate(VELOCITY, psbt("p", 250_000, NOON), counters);
    assertTrue(d.allowed());
    assertEquals(
        List.of(new Trace("velocity-24h", "velocity", Outcome.ALLOW, d.reason())), d.trace());
    assertEquals(List.of(), counters.charges());
  }

  @Test
  void duplicateDeliveryIsChargedOnce() {
    MemoryCounters counters = MemoryCounters.forPolicy(VELOCITY);
    JobFacts job = psbt("p", 1_000_000, NOON);
    Decision first = ENGINE.evaluateAndCharge(VELOCITY, job, counters);
    Decision again = ENGINE.evaluateAndCharge(VELOCITY, job, counters);
    assertEquals(first, again);
    assertEquals(List.of(new Charge("p", NOON, 1_000_000)), counters.charges());
    // Another job sees the amount once: 1,000,000 + 500,001 > 1,500,000.
    Decision next = ENGINE.evaluate(VELOCITY, psbt("q", 500_001, NOON), counters);
    assertEquals("velocity 24h: 1,000,000 + 500,001 sats > 1,500,000", next.reason());
  }

  @Test
  void aRetryAtTheLimitGetsTheSameDecision() {
    MemoryCounters counters = MemoryCounters.forPolicy(VELOCITY);
    JobFacts job = psbt("p", 1_500_000, NOON);
    assertTrue(ENGINE.evaluateAndCharge(VELOCITY, job, counters).allowed());
    // Delivered again ten minutes later: its own charge is left out, so it still fits.
    Decision retry =
        ENGINE.evaluateAndCharge(VELOCITY, psbt("p", 1_500_000, NOON.plusSeconds(600)), counters);
    assertTrue(retry.allowed(), retry.reason());
    assertEquals("velocity 24h: 0 + 1,500,000 sats <= 1,500,000", retry.reason());
    assertEquals(
        List.of(new Charge("p", NOON, 1_500_000)), counters.charges(), "first charge kept");
  }

  @Test
  void theTenthSignatureRetriedIsStillAllowed() {
    MemoryCounters counters = MemoryCounters.forPolicy(PUBLISHED);
    for (int i = 0; i < 10; i++) {
      ENGINE.evaluateAndCharge(PUBLISHED, message("job-" + i, NOON), counters);
    }
    Decision retry =
        ENGINE.evaluateAndCharge(PUBLISHED, message("job-9", NOON.plusSeconds(1)), counters);
    assertTrue(retry.allowed(), retry.reason());
    assertEquals(10, counters.charges().size());
  }

  @Test
  void concurrentJobsCannotBothTakeTheLastSlot() throws Exception {
    MemoryCounters counters = MemoryCounters.forPolicy(PUBLISHED);
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
    assertEquals(10, counters.charges().size());
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
    Decision d = ENGINE.evaluate(p, psbt("p", 101, NOON), new MemoryCounters(Duration.ZERO));
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
    MemoryCounters counters = new MemoryCounters(Duration.ZERO);
    assertThrows(IllegalArgumentException.class, () -> ENGINE.evaluate(PUBLISHED, null, counters));
    assertThrows(
        IllegalArgumentException.class, () -> ENGINE.evaluate(PUBLISHED, message("m", NOON), null));
    assertThrows(
        IllegalArgumentException.class,
        () -> ENGINE.evaluateAndCharge(PUBLISHED, message("m", NOON), null));
    assertThrows(IllegalArgumentException.class, () -> new PolicyEngine(null));
  }
}
