package dev.keep.enclave.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.keys.Network;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Every rule at its boundaries, the combinators and n/a, from decisions.json. */
class PolicyDecisionVectorsTest {
  private static final PolicyEngine ENGINE = new PolicyEngine(new LibSecp256k1Engine());

  @Test
  void everyDecisionVectorGivesItsDecision() {
    JsonNode fixture = PolicyFixtures.read("decisions.json");
    List<String> failures = new ArrayList<>();
    int run = 0;
    for (JsonNode c : fixture.get("cases")) {
      run++;
      String name = c.get("name").textValue();
      try {
        check(c, failures);
      } catch (Exception | AssertionError e) {
        failures.add(name + ": " + e);
      }
    }
    assertEquals(84, run, "every case in the fixture ran");
    assertEquals(List.of(), failures);
  }

  @Test
  void evaluatingChargesNothing() throws Exception {
    for (JsonNode c : PolicyFixtures.read("decisions.json").get("cases")) {
      Network network = network(c);
      BucketCounters counters = history(c.get("history"));
      byte[] before = counters.encode();
      ENGINE.evaluate(policy(c, network), job(c.get("job"), network), counters);
      org.junit.jupiter.api.Assertions.assertArrayEquals(before, counters.encode(), c.get("name").textValue());
    }
  }

  private static void check(JsonNode c, List<String> failures) throws PolicyException {
    String name = c.get("name").textValue();
    Network network = network(c);
    Decision d =
        ENGINE.evaluate(policy(c, network), job(c.get("job"), network), history(c.get("history")));
    JsonNode expect = c.get("expect");
    String got = d.allowed() + " " + d.ruleId() + " \"" + d.reason() + "\"";
    String want =
        expect.get("allowed").booleanValue()
            + " "
            + expect.get("ruleId").textValue()
            + " \""
            + expect.get("reason").textValue()
            + "\"";
    if (!got.equals(want)) {
      failures.add(name + ": got " + got + ", expected " + want);
    }
    if (c.has("trace")) {
      List<String> trace =
          d.trace().stream().map(t -> t.ruleId() + " " + t.outcome().wireName()).toList();
      List<String> wanted = new ArrayList<>();
      c.get("trace").forEach(t -> wanted.add(t.get(0).textValue() + " " + t.get(1).textValue()));
      if (!trace.equals(wanted)) {
        failures.add(name + ": trace " + trace + ", expected " + wanted);
      }
    }
  }

  private static Network network(JsonNode c) {
    return c.has("network") ? Network.fromWireName(c.get("network").textValue()) : Network.TESTNET;
  }

  private static Policy policy(JsonNode c, Network network) throws PolicyException {
    String json =
        c.has("policy")
            ? c.get("policy").toString()
            : "{\"version\":1,\"rule\":" + c.get("rule") + "}";
    return Policy.parse(json, network);
  }

  private static JobFacts job(JsonNode j, Network network) {
    String id = j.has("id") ? j.get("id").textValue() : "job";
    Instant now = j.has("now") ? Instant.parse(j.get("now").textValue()) : PolicyFixtures.NOON;
    JobKind kind = JobKind.fromWireName(j.get("kind").textValue()).orElseThrow();
    Optional<SpendFacts> spend = Optional.empty();
    if (kind == JobKind.PSBT) {
      List<Script> external = new ArrayList<>();
      for (JsonNode out : j.get("external")) {
        external.add(
            out.isTextual()
                ? PolicyFixtures.script(out.textValue(), network)
                : Script.fromHex(out.get("script").textValue()));
      }
      spend =
          Optional.of(
              new SpendFacts(
                  j.get("externalTotal").longValue(),
                  j.get("fee").longValue(),
                  j.get("vsize").longValue(),
                  external));
    }
    OptionalInt nostrKind =
        j.has("nostrKind") ? OptionalInt.of(j.get("nostrKind").intValue()) : OptionalInt.empty();
    return new JobFacts(id, kind, spend, nostrKind, PolicyFixtures.DIGEST, List.of(), now);
  }

  private static BucketCounters history(JsonNode history) {
    BucketCounters counters = new BucketCounters();
    if (history == null) {
      return counters;
    }
    int entry = 0;
    for (JsonNode h : history) {
      Instant at = Instant.parse(h.get("at").textValue());
      if (h.has("count")) {
        for (int i = 0; i < h.get("count").intValue(); i++) {
          counters.charge(at, 0);
        }
      } else {
        counters.charge(at, h.get("sats").longValue());
      }
      entry++;
    }
    return counters;
  }
}
