package dev.keep.enclave.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.keys.Network;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads one check (a rule with a {@code type}); {@link PolicyParser} reads the tree around it. */
final class RuleParser {
  static final long MAX_SATS = TxOut.MAX_MONEY;
  static final int MAX_NOSTR_KINDS = 1000;

  private static final Map<String, Set<String>> FIELDS =
      Map.ofEntries(
          Map.entry("max_amount", Set.of("sats")),
          Map.entry("velocity", Set.of("window", "sats")),
          Map.entry("max_count", Set.of("window", "count")),
          Map.entry("max_fee", Set.of("sats", "satPerVb")),
          Map.entry("allow_destinations", Set.of("addresses")),
          Map.entry("deny_destinations", Set.of("addresses")),
          Map.entry("allowed_hours", Set.of("from", "to")),
          Map.entry("allowed_weekdays", Set.of("days")),
          Map.entry("allowed_kinds", Set.of("kinds")),
          Map.entry("nostr_event_kinds", Set.of("kinds")),
          Map.entry("approvals", Set.of("threshold", "approvers")));

  private static final Map<String, Long> NAMED_WINDOWS =
      Map.of("1m", 60L, "1h", 3_600L, "24h", 86_400L, "1d", 86_400L, "7d", 604_800L);
  private static final Pattern TIME = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]");
  private static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");
  private static final List<String> KINDS =
      Arrays.stream(JobKind.values()).map(JobKind::wireName).toList();

  private final Network network;

  RuleParser(Network network) {
    this.network = network;
  }

  Rule parse(String id, JsonNode node, String path) throws PolicyException {
    String typePath = JsonFields.at(path, "type");
    String type = JsonFields.text(node.get("type"), typePath);
    Set<String> fields = FIELDS.get(type);
    if (fields == null) {
      throw new PolicyException(typePath, "unknown rule type '" + Text.printable(type) + "'");
    }
    Set<String> allowed = new HashSet<>(fields);
    allowed.add("id");
    allowed.add("type");
    JsonFields.onlyFields(node, path, allowed);
    Fields f = new Fields(node, path);
    return switch (type) {
      case "max_amount" -> new Rule.MaxAmount(id, f.sats("sats"));
      case "velocity" ->
          new Rule.Velocity(id, window(f.required("window"), f.path("window")), f.sats("sats"));
      case "max_count" ->
          new Rule.MaxCount(
              id,
              window(f.required("window"), f.path("window")),
              JsonFields.positive(f.required("count"), f.path("count"), Integer.MAX_VALUE));
      case "max_fee" -> maxFee(id, f);
      case "allow_destinations" ->
          new Rule.AllowDestinations(
              id, Destinations.list(f.required("addresses"), f.path("addresses"), 0, network));
      case "deny_destinations" ->
          new Rule.DenyDestinations(
              id, Destinations.list(f.required("addresses"), f.path("addresses"), 1, network));
      case "allowed_hours" -> hours(id, f);
      case "allowed_weekdays" -> new Rule.AllowedWeekdays(id, days(f));
      case "allowed_kinds" -> new Rule.AllowedKinds(id, jobKinds(f));
      case "nostr_event_kinds" -> new Rule.NostrEventKinds(id, nostrKinds(f));
      case "approvals" -> new Rule.Approvals(id, QuorumParser.parse(node, path, "approvers"));
      default -> throw new IllegalStateException("no parser for " + type);
    };
  }

  /** "1m", "1h", "24h", "1d", "7d", or a whole number of seconds. */
  static Window window(JsonNode node, String path) throws PolicyException {
    if (node.isTextual() && NAMED_WINDOWS.containsKey(node.textValue())) {
      return new Window(node.textValue(), Duration.ofSeconds(NAMED_WINDOWS.get(node.textValue())));
    }
    if (node.isIntegralNumber()
        && node.canConvertToLong()
        && node.longValue() >= 1
        && node.longValue() <= Window.MAX_SECONDS) {
      return Window.ofSeconds(node.longValue());
    }
    throw new PolicyException(
        path,
        "must be 1m, 1h, 24h, 1d, 7d or a whole number of seconds from 1 to "
            + Text.grouped(Window.MAX_SECONDS));
  }

  private static Rule maxFee(String id, Fields f) throws PolicyException {
    OptionalLong sats = f.has("sats") ? OptionalLong.of(f.sats("sats")) : OptionalLong.empty();
    OptionalLong rate =
        f.has("satPerVb") ? OptionalLong.of(f.sats("satPerVb")) : OptionalLong.empty();
    if (sats.isEmpty() && rate.isEmpty()) {
      throw new PolicyException(f.path, "max_fee needs sats, satPerVb or both");
    }
    return new Rule.MaxFee(id, sats, rate);
  }

  private static Rule hours(String id, Fields f) throws PolicyException {
    LocalTime from = time(f.required("from"), f.path("from"));
    LocalTime to = time(f.required("to"), f.path("to"));
    if (from.equals(to)) {
      // All day or no time at all? Say neither; an all-day rule is no rule.
      throw new PolicyException(
          f.path("to"), "must differ from from: an empty or full day is ambiguous");
    }
    return new Rule.AllowedHours(id, from, to);
  }

  private static LocalTime time(JsonNode node, String path) throws PolicyException {
    if (!node.isTextual() || !TIME.matcher(node.textValue()).matches()) {
      throw new PolicyException(path, "must be a UTC time HH:MM from 00:00 to 23:59");
    }
    return LocalTime.parse(node.textValue());
  }

  private static List<DayOfWeek> days(Fields f) throws PolicyException {
    List<DayOfWeek> days = new ArrayList<>();
    for (String name : names(f, "days", DAYS)) {
      days.add(DayOfWeek.of(DAYS.indexOf(name) + 1));
    }
    return days;
  }

  private static List<JobKind> jobKinds(Fields f) throws PolicyException {
    List<JobKind> kinds = new ArrayList<>();
    for (String name : names(f, "kinds", KINDS)) {
      kinds.add(JobKind.fromWireName(name).orElseThrow());
    }
    return kinds;
  }

  /** A non-empty list of distinct names, each one of {@code known}. */
  private static List<String> names(Fields f, String field, List<String> known)
      throws PolicyException {
    JsonNode list = JsonFields.array(f.required(field), f.path(field), 1, known.size());
    List<String> names = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String at = JsonFields.at(f.path(field), i);
      String name = JsonFields.text(list.get(i), at);
      if (!known.contains(name)) {
        throw new PolicyException(at, "must be one of " + String.join(", ", known));
      }
      if (names.contains(name)) {
        throw new PolicyException(at, name + " is listed twice");
      }
      names.add(name);
    }
    return names;
  }

  private static List<Integer> nostrKinds(Fields f) throws PolicyException {
    JsonNode list = JsonFields.array(f.required("kinds"), f.path("kinds"), 1, MAX_NOSTR_KINDS);
    List<Integer> kinds = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String at = JsonFields.at(f.path("kinds"), i);
      int kind = (int) JsonFields.integer(list.get(i), at, 0, JobFacts.MAX_NOSTR_KIND);
      if (kinds.contains(kind)) {
        throw new PolicyException(at, kind + " is listed twice");
      }
      kinds.add(kind);
    }
    return kinds;
  }

  /** One rule object's fields, with paths. */
  private record Fields(JsonNode node, String path) {
    boolean has(String field) {
      return node.has(field);
    }

    String path(String field) {
      return JsonFields.at(path, field);
    }

    JsonNode required(String field) throws PolicyException {
      return JsonFields.required(node, path, field);
    }

    long sats(String field) throws PolicyException {
      return JsonFields.positive(required(field), path(field), MAX_SATS);
    }
  }
}
