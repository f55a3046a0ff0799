package dev.keep.enclave.policy;

import static dev.keep.enclave.policy.PolicyFixtures.A;
import static dev.keep.enclave.policy.PolicyFixtures.B;
import static dev.keep.enclave.policy.PolicyFixtures.C;
import static dev.keep.enclave.policy.PolicyFixtures.MAINNET_A;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.keys.Network;
import dev.keep.enclave.spend.Addresses;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PolicyParseTest {
  static final String G1 = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
  static final String G2 = "c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5";
  static final String G3 = "f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9";

  /** The issue's example document, every rule type once, with real addresses and keys. */
  static final String EXAMPLE =
      """
      { "version": 3,
        "rule": { "id": "root", "all": [
           { "id": "max-tx", "type": "max_amount", "sats": 1000000 },
           { "id": "velocity-24h", "type": "velocity", "window": "24h", "sats": 1500000 },
           { "id": "per-hour", "type": "max_count", "window": "1h", "count": 10 },
           { "id": "fee", "type": "max_fee", "sats": 50000, "satPerVb": 100 },
           { "id": "dest", "type": "allow_destinations", "addresses": ["%s", "%s"] },
           { "id": "no-bad", "type": "deny_destinations", "addresses": ["%s"] },
           { "id": "hours", "type": "allowed_hours", "from": "22:00", "to": "06:00" },
           { "id": "days", "type": "allowed_weekdays", "days": ["mon","tue","wed","thu","fri"] },
           { "id": "kinds", "type": "allowed_kinds", "kinds": ["psbt","message","nostr_event","digest"] },
           { "id": "nostr", "type": "nostr_event_kinds", "kinds": [1, 7] },
           { "id": "two-of-three", "type": "approvals", "threshold": 2,
             "approvers": {"alice": "%s", "bob": "%s", "carol": "%s"} },
           { "id": "either", "any": [ { "id": "small", "type": "max_amount", "sats": 1000 },
                                      { "id": "week", "type": "velocity", "window": "7d", "sats": 5000000 } ] },
           { "id": "never-this", "not": { "id": "digests", "type": "allowed_kinds", "kinds": ["digest"] } } ] },
        "admins": { "threshold": 2, "keys": {"ops1": "%s", "ops2": "%s", "ops3": "%s"} } }
      """
          .formatted(A, B, C, G1, G2, G3, G1, G2, G3);

  @Test
  void theIssuesExampleParsesIntoEveryRuleType() throws Exception {
    Policy p = Policy.parse(EXAMPLE, Network.TESTNET);
    assertEquals(3, p.version());
    assertEquals(Network.TESTNET, p.network());
    Rule.All root = (Rule.All) p.rule();
    assertEquals("root", root.id());
    assertEquals(
        List.of(
            "max_amount",
            "velocity",
            "max_count",
            "max_fee",
            "allow_destinations",
            "deny_destinations",
            "allowed_hours",
            "allowed_weekdays",
            "allowed_kinds",
            "nostr_event_kinds",
            "approvals",
            "any",
            "not"),
        root.children().stream().map(Rule::type).toList());
    List<Rule> r = root.children();
    assertEquals(new Rule.MaxAmount("max-tx", 1_000_000), r.get(0));
    assertEquals(
        new Rule.Velocity("velocity-24h", new Window("24h", Duration.ofHours(24)), 1_500_000),
        r.get(1));
    assertEquals(
        new Rule.MaxCount("per-hour", new Window("1h", Duration.ofHours(1)), 10), r.get(2));
    assertEquals(new Rule.MaxFee("fee", OptionalLong.of(50_000), OptionalLong.of(100)), r.get(3));
    assertEquals(
        List.of(
            new Destination(A, PolicyFixtures.script(A)),
            new Destination(B, PolicyFixtures.script(B))),
        ((Rule.AllowDestinations) r.get(4)).destinations());
    assertEquals(
        PolicyFixtures.script(C),
        ((Rule.DenyDestinations) r.get(5)).destinations().get(0).script());
    assertEquals(new Rule.AllowedHours("hours", LocalTime.of(22, 0), LocalTime.of(6, 0)), r.get(6));
    assertEquals(
        List.of(
            DayOfWeek.MONDAY,
            DayOfWeek.TUESDAY,
            DayOfWeek.WEDNESDAY,
            DayOfWeek.THURSDAY,
            DayOfWeek.FRIDAY),
        ((Rule.AllowedWeekdays) r.get(7)).days());
    assertEquals(
        List.of(JobKind.PSBT, JobKind.MESSAGE, JobKind.NOSTR_EVENT, JobKind.DIGEST),
        ((Rule.AllowedKinds) r.get(8)).kinds());
    assertEquals(List.of(1, 7), ((Rule.NostrEventKinds) r.get(9)).kinds());
    Quorum approvers = ((Rule.Approvals) r.get(10)).quorum();
    assertEquals(2, approvers.threshold());
    assertEquals(List.of("alice", "bob", "carol"), List.copyOf(approvers.members().keySet()));
    assertEquals(G2, approvers.members().get("bob").toHex());
    Rule.Not not = (Rule.Not) r.get(12);
    assertEquals("digests", not.child().id());
    Quorum admins = p.admins().orElseThrow();
    assertEquals(2, admins.threshold());
    assertEquals(List.of("ops1", "ops2", "ops3"), List.copyOf(admins.members().keySet()));
    assertEquals(Duration.ofDays(7), p.longestWindow(), "the 7d window nested in any");
  }

  @Test
  void adminsAreOptional() throws Exception {
    Policy p =
        Policy.parse(
            "{\"version\":1,\"rule\":{\"id\":\"m\",\"type\":\"max_amount\",\"sats\":1}}",
            Network.MAINNET);
    assertTrue(p.admins().isEmpty());
    assertEquals(Duration.ZERO, p.longestWindow());
  }

  @Test
  void windowsByNameAndInSeconds() throws Exception {
    record Case(String json, String label, long seconds) {}
    List<Case> cases =
        List.of(
            new Case("\"1m\"", "1m", 60),
            new Case("\"1h\"", "1h", 3_600),
            new Case("\"24h\"", "24h", 86_400),
            new Case("\"1d\"", "1d", 86_400),
            new Case("\"7d\"", "7d", 604_800),
            new Case("1", "1s", 1),
            new Case("90", "90s", 90),
            new Case("31536000", "31536000s", 31_536_000));
    for (Case c : cases) {
      Policy p =
          PolicyFixtures.rule(
              "{\"id\":\"c\",\"type\":\"max_count\",\"count\":1,\"window\":" + c.json + "}");
      Window w = ((Rule.MaxCount) p.rule()).window();
      assertEquals(c.label, w.label(), c.json);
      assertEquals(Duration.ofSeconds(c.seconds), w.length(), c.json);
      assertEquals(Duration.ofSeconds(c.seconds), p.longestWindow(), c.json);
    }
  }

  @Test
  void anotherNetworksRenderingOfTheSameScriptIsRefused() {
    assertEquals(
        PolicyFixtures.script(A), PolicyFixtures.script(MAINNET_A, Network.MAINNET), "one script");
    PolicyException e =
        assertThrows(
            PolicyException.class, () -> Policy.parse(allowlist(MAINNET_A), Network.TESTNET));
    assertEquals("rule.addresses.0", e.path());
    assertEquals(MAINNET_A + " is a mainnet address; this policy is for testnet", e.rule());
  }

  @Test
  void anAddressIsKeptAsTheScriptItPaysOnTheKeysNetwork() throws Exception {
    for (Network network : List.of(Network.TESTNET, Network.SIGNET)) {
      Policy p = Policy.parse(allowlist(A), network);
      assertEquals(
          PolicyFixtures.script(A),
          ((Rule.AllowDestinations) p.rule()).destinations().get(0).script(),
          network.name());
    }
    String regtest = Addresses.render(PolicyFixtures.script(A), Network.REGTEST).orElseThrow();
    Policy p = Policy.parse(allowlist(regtest), Network.REGTEST);
    assertEquals(
        PolicyFixtures.script(A),
        ((Rule.AllowDestinations) p.rule()).destinations().get(0).script());
  }

  @Test
  void atMost256Rules() throws Exception {
    PolicyFixtures.rule(allOf(255)); // the root and 255 children
    PolicyException e =
        assertThrows(PolicyException.class, () -> Policy.parse(doc(allOf(256)), Network.TESTNET));
    assertEquals("rule.all.255: more than 256 rules in the policy", e.getMessage());
  }

  @Test
  void atMost16LevelsOfNesting() throws Exception {
    PolicyFixtures.rule(nested(15)); // 15 nots and a check: 16 levels
    PolicyException e =
        assertThrows(PolicyException.class, () -> Policy.parse(doc(nested(16)), Network.TESTNET));
    assertEquals("rule" + ".not".repeat(16) + ": nested deeper than 16 levels", e.getMessage());
  }

  @Test
  void atMost1000AddressesPerList() throws Exception {
    Policy p = Policy.parse(allowlist(addresses(1000)), Network.TESTNET);
    assertEquals(1000, ((Rule.AllowDestinations) p.rule()).destinations().size());
    PolicyException e =
        assertThrows(
            PolicyException.class, () -> Policy.parse(allowlist(addresses(1001)), Network.TESTNET));
    assertEquals("rule.addresses: must have at most 1,000 entries", e.getMessage());
  }

  @Test
  void atMost64KiBOfUtf8() throws Exception {
    String small = doc("{\"id\":\"m\",\"type\":\"max_amount\",\"sats\":1}");
    String padded = small + " ".repeat(65_536 - small.length());
    Policy.parse(padded, Network.TESTNET);
    PolicyException e =
        assertThrows(PolicyException.class, () -> Policy.parse(padded + " ", Network.TESTNET));
    assertEquals("policy: larger than 65,536 bytes", e.getMessage());
    // Fewer than 65,536 characters, but more bytes: the limit is on bytes.
    String wide = "{\"x\":\"" + "é".repeat(32_769) + "\"}";
    assertTrue(wide.length() < 65_536);
    e = assertThrows(PolicyException.class, () -> Policy.parse(wide, Network.TESTNET));
    assertEquals("policy: larger than 65,536 bytes", e.getMessage());
  }

  @Test
  void hoursMayCrossMidnight() throws Exception {
    Policy p =
        PolicyFixtures.rule(
            "{\"id\":\"h\",\"type\":\"allowed_hours\",\"from\":\"09:00\",\"to\":\"00:00\"}");
    assertEquals(new Rule.AllowedHours("h", LocalTime.of(9, 0), LocalTime.MIDNIGHT), p.rule());
  }

  @Test
  void jobKindWireNames() {
    assertEquals(
        List.of("message", "nostr_event", "psbt", "digest"),
        Arrays.stream(JobKind.values()).map(JobKind::wireName).toList());
    assertEquals(JobKind.NOSTR_EVENT, JobKind.fromWireName("nostr_event").orElseThrow());
    assertTrue(JobKind.fromWireName("PSBT").isEmpty());
  }

  static String doc(String rule) {
    return "{\"version\":1,\"rule\":" + rule + "}";
  }

  private static String allowlist(String... addresses) {
    return allowlist(List.of(addresses));
  }

  private static String allowlist(List<String> addresses) {
    String list = addresses.stream().map(a -> "\"" + a + "\"").collect(Collectors.joining(","));
    return doc("{\"id\":\"dest\",\"type\":\"allow_destinations\",\"addresses\":[" + list + "]}");
  }

  /** {@code n} distinct testnet P2WPKH addresses. */
  private static List<String> addresses(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] hash = new byte[20];
      hash[0] = (byte) (i >> 8);
      hash[1] = (byte) i;
      out.add(Addresses.render(Script.p2wpkh(hash), Network.TESTNET).orElseThrow());
    }
    return out;
  }

  private static String allOf(int children) {
    return IntStream.range(0, children)
        .mapToObj(i -> "{\"id\":\"m" + i + "\",\"type\":\"max_amount\",\"sats\":1}")
        .collect(Collectors.joining(",", "{\"id\":\"root\",\"all\":[", "]}"));
  }

  private static String nested(int nots) {
    String rule = "{\"id\":\"leaf\",\"type\":\"max_amount\",\"sats\":1}";
    for (int i = 0; i < nots; i++) {
      rule = "{\"id\":\"n" + i + "\",\"not\":" + rule + "}";
    }
    return rule;
  }
}
