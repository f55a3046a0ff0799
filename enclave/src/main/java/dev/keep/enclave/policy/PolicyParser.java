package dev.keep.enclave.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.enclave.keys.Network;
import dev.keep.enclave.keys.hd.DerivationPath;
import dev.keep.schema.encoding.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a policy document: the top level, and the rule tree with its limits (rule count, depth,
 * unique ids). {@link RuleParser} reads each check.
 */
final class PolicyParser {
  static final int MAX_BYTES = 64 * 1024;
  static final int MAX_RULES = 256;
  static final int MAX_DEPTH = 16;

  /** Versions stay exact in JavaScript clients. */
  static final long MAX_VERSION = (1L << 53) - 1;

  private static final List<String> KINDS_OF_RULE = List.of("type", "all", "any", "not");

  private final RuleParser checks;
  private final Map<String, String> idPaths = new HashMap<>();
  private int rules;

  private PolicyParser(Network network) {
    this.checks = new RuleParser(network);
  }

  static Policy parse(String json, Network network) throws PolicyException {
    if (json == null || network == null) {
      throw new IllegalArgumentException("a policy needs its text and the key's network");
    }
    // A char is at least one UTF-8 byte, so the cheap test comes first.
    if (json.length() > MAX_BYTES || json.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      throw new PolicyException("policy", "larger than " + Text.grouped(MAX_BYTES) + " bytes");
    }
    JsonNode document = read(json);
    JsonFields.object(document, "policy");
    JsonFields.onlyFields(document, "", Set.of("version", "rule", "admins", "other_network_paths"));
    long version =
        JsonFields.positive(JsonFields.required(document, "", "version"), "version", MAX_VERSION);
    Rule root =
        new PolicyParser(network).rule(JsonFields.required(document, "", "rule"), "rule", 1);
    Optional<Quorum> admins = Optional.empty();
    if (document.has("admins")) {
      JsonNode node = JsonFields.object(document.get("admins"), "admins");
      JsonFields.onlyFields(node, "admins", Set.of("threshold", "keys"));
      admins = Optional.of(QuorumParser.parse(node, "admins", "keys"));
    }
    List<DerivationPath> otherNetworkPaths = document.has("other_network_paths")
        ? otherNetworkPaths(document.get("other_network_paths"), network)
        : List.of();
    return new Policy(version, root, admins, network, otherNetworkPaths, CanonicalJson.write(document));
  }

  /** At most this many prefixes in {@code other_network_paths}. */
  static final int MAX_OTHER_NETWORK_PATHS = 64;

  /**
   * Path prefixes a key may sign at although their BIP-44 coin type is another network's. Each must
   * name a BIP-44/49/84/86 purpose and a coin type other than the key's, both hardened: anything
   * else needs no exception, and an entry that needs none is a mistake worth reporting.
   */
  private static List<DerivationPath> otherNetworkPaths(JsonNode node, Network network) throws PolicyException {
    JsonNode list = JsonFields.array(node, "other_network_paths", 1, MAX_OTHER_NETWORK_PATHS);
    List<DerivationPath> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      String at = JsonFields.at("other_network_paths", i);
      DerivationPath path;
      try {
        path = DerivationPath.parse(JsonFields.text(list.get(i), at));
      } catch (IllegalArgumentException e) {
        throw new PolicyException(at, "not a derivation path: " + e.getMessage());
      }
      List<Integer> steps = path.childNumbers();
      boolean shaped = steps.size() >= 2 && DerivationPath.isHardened(steps.get(0))
          && DerivationPath.isHardened(steps.get(1))
          && Set.of(44, 49, 84, 86).contains(steps.get(0) & ~DerivationPath.HARDENED_BIT);
      if (!shaped || (steps.get(1) & ~DerivationPath.HARDENED_BIT) == network.coinType()) {
        throw new PolicyException(at, "must start with a hardened BIP-44/49/84/86 purpose and another network's"
            + " hardened coin type (this key's is " + network.coinType() + "'), e.g. m/86'/"
            + (network.coinType() == 0 ? 1 : 0) + "'/0'");
      }
      out.add(path);
    }
    return List.copyOf(out);
  }

  /** Duplicate keys are refused: a tree keeps only the last, so two readers could disagree. */
  private static JsonNode read(String json) throws PolicyException {
    try {
      return Json.MAPPER
          .reader()
          .with(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .readTree(json);
    } catch (JsonProcessingException e) {
      // Jackson's message may quote the input; keep only what and where.
      var at = e.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      String what =
          e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")
              ? "duplicate key"
              : "not valid JSON";
      throw new PolicyException("policy", what + where);
    }
  }

  private Rule rule(JsonNode node, String path, int depth) throws PolicyException {
    JsonFields.object(node, path);
    String id = id(node, path);
    if (++rules > MAX_RULES) {
      throw new PolicyException(path, "more than " + MAX_RULES + " rules in the policy");
    }
    if (depth > MAX_DEPTH) {
      throw new PolicyException(path, "nested deeper than " + MAX_DEPTH + " levels");
    }
    List<String> present = KINDS_OF_RULE.stream().filter(node::has).toList();
    if (present.size() != 1) {
      throw new PolicyException(
          path,
          "must have exactly one of type, all, any, not"
              + (present.isEmpty() ? "" : "; has " + String.join(" and ", present)));
    }
    String kind = present.get(0);
    if (kind.equals("type")) {
      return checks.parse(id, node, path);
    }
    JsonFields.onlyFields(node, path, Set.of("id", kind));
    String childPath = JsonFields.at(path, kind);
    if (kind.equals("not")) {
      return new Rule.Not(id, rule(node.get("not"), childPath, depth + 1));
    }
    JsonNode list = JsonFields.array(node.get(kind), childPath, 1, MAX_RULES);
    List<Rule> children = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      children.add(rule(list.get(i), JsonFields.at(childPath, i), depth + 1));
    }
    return kind.equals("all") ? new Rule.All(id, children) : new Rule.Any(id, children);
  }

  private String id(JsonNode node, String path) throws PolicyException {
    String at = JsonFields.at(path, "id");
    String id = JsonFields.text(JsonFields.required(node, path, "id"), at);
    if (!Names.isValid(id)) {
      throw new PolicyException(at, Names.RULE);
    }
    if (id.equals(Decision.DEFAULT_DENY)) {
      throw new PolicyException(at, id + " is reserved for the decision of a key without a policy");
    }
    String earlier = idPaths.putIfAbsent(id, path);
    if (earlier != null) {
      throw new PolicyException(at, id + " is already the id of " + earlier);
    }
    return id;
  }
}
