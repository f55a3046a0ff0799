package dev.keep.enclave.policy;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.List;
import java.util.OptionalLong;

/**
 * A node of a policy's rule tree: a combinator ({@code all}, {@code any}, {@code not}) or one
 * check. {@code PolicyParser} builds them from JSON with every field checked; {@code RuleEvaluator}
 * says what each one means for a job.
 */
public sealed interface Rule {
  /** Unique within the policy; decisions and traces name rules by it. */
  String id();

  /** The JSON {@code type}, or {@code all} / {@code any} / {@code not} for a combinator. */
  String type();

  record All(String id, List<Rule> children) implements Rule {
    public All {
      children = List.copyOf(children);
    }

    @Override
    public String type() {
      return "all";
    }
  }

  record Any(String id, List<Rule> children) implements Rule {
    public Any {
      children = List.copyOf(children);
    }

    @Override
    public String type() {
      return "any";
    }
  }

  record Not(String id, Rule child) implements Rule {
    @Override
    public String type() {
      return "not";
    }
  }

  /** The sats a PSBT sends to external outputs, at most {@code sats}. */
  record MaxAmount(String id, long sats) implements Rule {
    @Override
    public String type() {
      return "max_amount";
    }
  }

  /** External sats within a rolling window, this job's included, at most {@code sats}. */
  record Velocity(String id, Window window, long sats) implements Rule {
    @Override
    public String type() {
      return "velocity";
    }
  }

  /** Signatures within a rolling window, this job's included, at most {@code count}. */
  record MaxCount(String id, Window window, long count) implements Rule {
    @Override
    public String type() {
      return "max_count";
    }
  }

  /** A PSBT's fee at most {@code sats}, its fee rate at most {@code satPerVb}; at least one set. */
  record MaxFee(String id, OptionalLong sats, OptionalLong satPerVb) implements Rule {
    @Override
    public String type() {
      return "max_fee";
    }
  }

  /** Every external output pays one of these scripts. */
  record AllowDestinations(String id, List<Destination> destinations) implements Rule {
    public AllowDestinations {
      destinations = List.copyOf(destinations);
    }

    @Override
    public String type() {
      return "allow_destinations";
    }
  }

  /** No external output pays one of these scripts. */
  record DenyDestinations(String id, List<Destination> destinations) implements Rule {
    public DenyDestinations {
      destinations = List.copyOf(destinations);
    }

    @Override
    public String type() {
      return "deny_destinations";
    }
  }

  /** UTC time of day in [from, to); when {@code from} is later than {@code to}, across midnight. */
  record AllowedHours(String id, LocalTime from, LocalTime to) implements Rule {
    @Override
    public String type() {
      return "allowed_hours";
    }
  }

  /** The UTC day of the week is one of {@code days}. */
  record AllowedWeekdays(String id, List<DayOfWeek> days) implements Rule {
    public AllowedWeekdays {
      days = List.copyOf(days);
    }

    @Override
    public String type() {
      return "allowed_weekdays";
    }
  }

  record AllowedKinds(String id, List<JobKind> kinds) implements Rule {
    public AllowedKinds {
      kinds = List.copyOf(kinds);
    }

    @Override
    public String type() {
      return "allowed_kinds";
    }
  }

  /** A Nostr event's kind is one of {@code kinds}. */
  record NostrEventKinds(String id, List<Integer> kinds) implements Rule {
    public NostrEventKinds {
      kinds = List.copyOf(kinds);
    }

    @Override
    public String type() {
      return "nostr_event_kinds";
    }
  }

  /** At least {@code threshold} of the named approvers signed the job's approval digest. */
  record Approvals(String id, Quorum quorum) implements Rule {
    @Override
    public String type() {
      return "approvals";
    }
  }
}
