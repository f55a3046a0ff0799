package dev.keep.enclave.policy;

import dev.keep.enclave.keys.Network;
import dev.keep.enclave.keys.hd.DerivationPath;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A key's policy: a rule tree, parsed and checked, its version, and its hash. Obtained only from
 * {@link #parse}, so every policy has the canonical JSON its hash is computed over.
 *
 * <p>The document's shape and limits are in {@code PolicyParser} and {@code RuleParser}, what each
 * rule means in {@link Rule} and {@code RuleEvaluator}; every parse error names the JSON path, for
 * example {@code rule.all.2.sats: must be a positive integer}.
 */
public final class Policy {
  private final long version;
  private final Rule rule;
  private final Optional<Quorum> admins;
  private final Network network;
  private final List<DerivationPath> otherNetworkPaths;
  private final String canonicalJson;
  private final PolicyHash hash;
  private final Duration longestWindow;

  Policy(long version, Rule rule, Optional<Quorum> admins, Network network,
      List<DerivationPath> otherNetworkPaths, String canonicalJson) {
    this.version = version;
    this.rule = rule;
    this.admins = admins;
    this.network = network;
    this.otherNetworkPaths = List.copyOf(otherNetworkPaths);
    this.canonicalJson = canonicalJson;
    this.hash = PolicyHash.ofCanonicalJson(canonicalJson);
    this.longestWindow = longestWindow(rule);
  }

  /**
   * Reads a policy for a key on {@code network}: destination addresses are parsed for that network,
   * and an address of another one is an error.
   *
   * @throws PolicyException naming the JSON path and the rule it breaks
   */
  public static Policy parse(String json, Network network) throws PolicyException {
    return PolicyParser.parse(json, network);
  }

  public long version() {
    return version;
  }

  /** The root of the rule tree; it must allow for a job to be signed. */
  public Rule rule() {
    return rule;
  }

  /** Who may change the policy, when the document names them. */
  public Optional<Quorum> admins() {
    return admins;
  }

  /** The key's network the destinations were parsed for. */
  public Network network() {
    return network;
  }

  /**
   * Path prefixes the key may sign at although their BIP-44 coin type is another network's
   * ({@code other_network_paths}); empty for most policies.
   */
  public List<DerivationPath> otherNetworkPaths() {
    return otherNetworkPaths;
  }

  /** The document with keys sorted and no whitespace; {@link #hash()} is its SHA-256. */
  public String canonicalJson() {
    return canonicalJson;
  }

  public PolicyHash hash() {
    return hash;
  }

  /**
   * The longest velocity or count window, zero when there is none: how long counters must remember.
   */
  public Duration longestWindow() {
    return longestWindow;
  }

  private static Duration longestWindow(Rule rule) {
    return switch (rule) {
      case Rule.All all ->
          all.children().stream().map(Policy::longestWindow).reduce(Duration.ZERO, Policy::max);
      case Rule.Any any ->
          any.children().stream().map(Policy::longestWindow).reduce(Duration.ZERO, Policy::max);
      case Rule.Not not -> longestWindow(not.child());
      case Rule.Velocity v -> v.window().length();
      case Rule.MaxCount c -> c.window().length();
      default -> Duration.ZERO;
    };
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Policy other
        && network == other.network
        && canonicalJson.equals(other.canonicalJson);
  }

  @Override
  public int hashCode() {
    return canonicalJson.hashCode();
  }

  @Override
  public String toString() {
    return "Policy[version " + version + ", " + hash + "]";
  }
}
