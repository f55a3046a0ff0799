package dev.keep.enclave.bench;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.keys.KeyMaterial;
import dev.keep.enclave.keys.Network;
import dev.keep.enclave.policy.Decision;
import dev.keep.enclave.policy.JobFacts;
import dev.keep.enclave.policy.BucketCounters;
import dev.keep.enclave.policy.Policy;
import dev.keep.enclave.policy.PolicyEngine;
import dev.keep.enclave.policy.SpendFacts;
import dev.keep.enclave.signing.Digest32;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.enclave.signing.Message;
import dev.keep.enclave.signing.SchnorrSignature;
import dev.keep.enclave.signing.Signer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Policy evaluation for one PSBT job under a 20-rule policy (every rule type, nested all/any/not,
 * two destination lists), with {@code history} earlier signatures of the key inside its windows,
 * beside one BIP-340 signature through the same signer in the same run. The job is allowed, so
 * every rule is evaluated.
 *
 * <pre>./mvnw -pl enclave -am -Pbench clean verify -DskipTests -Djmh.args="-f 1 -wi 2 -i 3 PolicyBenchmark"</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PolicyBenchmark {
  private static final LibSecp256k1Engine ENGINE = new LibSecp256k1Engine();
  private static final Signer SIGNER = new Signer(ENGINE, new SecureRandom());
  static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z"); // a Tuesday, noon UTC

  /** The 20 rules: 16 checks and 4 combinators. */
  static final String POLICY = """
      {"version": 1, "rule": {"id": "root", "all": [
        {"id": "kinds", "type": "allowed_kinds", "kinds": ["psbt", "message", "nostr_event"]},
        {"id": "nostr", "type": "nostr_event_kinds", "kinds": [0, 1, 7]},
        {"id": "max-tx", "type": "max_amount", "sats": 5000000},
        {"id": "velocity-1h", "type": "velocity", "window": "1h", "sats": 100000000000},
        {"id": "velocity-24h", "type": "velocity", "window": "24h", "sats": 1000000000000},
        {"id": "per-minute", "type": "max_count", "window": "1m", "count": 1000000},
        {"id": "per-hour", "type": "max_count", "window": "1h", "count": 1000000},
        {"id": "per-day", "type": "max_count", "window": "1d", "count": 1000000},
        {"id": "fee", "type": "max_fee", "sats": 100000, "satPerVb": 500},
        {"id": "dest", "type": "allow_destinations", "addresses": [
          "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn"]},
        {"id": "blocked", "type": "deny_destinations", "addresses": [
          "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c"]},
        {"id": "hours", "type": "allowed_hours", "from": "06:00", "to": "22:00"},
        {"id": "days", "type": "allowed_weekdays", "days": ["mon", "tue", "wed", "thu", "fri"]},
        {"id": "either", "any": [
          {"id": "small", "type": "max_amount", "sats": 1000000},
          {"id": "not-night", "not": {"id": "night", "type": "allowed_hours", "from": "22:00", "to": "06:00"}}]},
        {"id": "inner", "all": [
          {"id": "fee-cap", "type": "max_fee", "sats": 200000}]}]}}
      """;

  @State(Scope.Thread)
  public static class Evaluation {
    @Param({"0", "1000", "10000"})
    public int history;

    final PolicyEngine engine = new PolicyEngine(ENGINE);
    Policy policy;
    BucketCounters counters;
    JobFacts job;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      policy = Policy.parse(POLICY, Network.TESTNET);
      counters = new BucketCounters();
      for (int i = 0; i < history; i++) {
        counters.charge(NOW.minus(Duration.ofSeconds(1 + (i % 3_000))), 1_000);
      }
      Script payee = Script.fromHex("0014751e76e8199196d454941c45d1b3a323f1433bd6");
      job = JobFacts.psbt("job-1", new SpendFacts(600_000, 2_000, 200, List.of(payee)),
          Digest32.computed(new byte[32]), NOW);
      Decision d = engine.evaluate(policy, job, counters);
      if (!d.allowed()) {
        throw new IllegalStateException("the benchmark job must be allowed: " + d.reason());
      }
    }
  }

  @State(Scope.Thread)
  public static class Baseline {
    final KeyMaterial key = KeyMaterial.Single.of(SIGNER.generate());
    final Message message = Message.of(Digest32.computed(new byte[32]));
  }

  @Benchmark
  public Decision evaluate20Rules(Evaluation e) {
    return e.engine.evaluate(e.policy, e.job, e.counters);
  }

  @Benchmark
  public SchnorrSignature baselineSchnorr(Baseline b) {
    try (KeyMaterial.Lease lease = b.key.lease(null)) {
      return SIGNER.schnorr(b.message, lease.key(), lease.publicKey());
    }
  }
}
