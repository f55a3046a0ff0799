package dev.keep.enclave.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.keys.Network;
import dev.keep.enclave.signing.Digest32;
import dev.keep.enclave.spend.Addresses;
import dev.keep.schema.encoding.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import org.bitcoinj.base.AddressParser;
import org.bitcoinj.script.ScriptBuilder;

/** Shared values for the policy tests, and the JSON vectors under src/test/resources/policy. */
final class PolicyFixtures {
  /** A Monday, noon UTC. */
  static final Instant NOON = Instant.parse("2025-01-06T12:00:00Z");

  /** BIP-173's P2WPKH example on testnet; MAINNET_A is the same script on mainnet. */
  static final String A = "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx";

  static final String MAINNET_A = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
  static final String B = "tb1q0sqzfp3zj42u0perxr6jahhu4y03uw4dypk6sc";

  /** BIP-350's P2TR example on testnet. */
  static final String C = "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c";

  static final Script OP_RETURN = Script.fromHex("6a0568656c6c6f");
  static final Digest32 DIGEST = Digest32.claimed(new byte[32]);

  private PolicyFixtures() {}

  static JsonNode read(String name) {
    try (InputStream in = PolicyFixtures.class.getResourceAsStream("/policy/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource /policy/" + name);
      }
      return Json.MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The script of {@code address}, through bitcoinj directly rather than the code under test. */
  static Script script(String address, Network network) {
    var parsed = AddressParser.getDefault(Addresses.bitcoinj(network)).parseAddress(address);
    return Script.of(ScriptBuilder.createOutputScript(parsed).program());
  }

  static Script script(String testnetAddress) {
    return script(testnetAddress, Network.TESTNET);
  }

  static Policy policy(String json) {
    try {
      return Policy.parse(json, Network.TESTNET);
    } catch (PolicyException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  /** A policy whose root is {@code ruleJson}. */
  static Policy rule(String ruleJson) {
    return policy("{\"version\":1,\"rule\":" + ruleJson + "}");
  }

  static JobFacts psbt(String jobId, long externalTotal, Instant now) {
    List<Script> external = externalTotal == 0 ? List.of() : List.of(script(A));
    return JobFacts.psbt(jobId, new SpendFacts(externalTotal, 1_000, 200, external), DIGEST, now);
  }

  static JobFacts message(String jobId, Instant now) {
    return JobFacts.message(jobId, DIGEST, now);
  }
}
