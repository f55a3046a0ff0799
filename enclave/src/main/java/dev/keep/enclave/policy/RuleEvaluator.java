package dev.keep.enclave.policy;

import dev.keep.enclave.keys.Network;
import dev.keep.enclave.signing.SigningEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Walks a rule tree for one job. Every rule is evaluated, so a trace shows what each one said;
 * nothing here charges or changes the counters.
 *
 * <ul>
 *   <li>{@code all}: denies when a child denies, decided by the first one that does; otherwise
 *       allows, a child that does not apply counting as allowing.
 *   <li>{@code any}: allows when a child that applies allows, decided by the first one that does;
 *       otherwise denies, naming itself and the reasons of the children that denied. A child
 *       that does not apply has no opinion here: {@code any[nostr_event_kinds, max_amount]}
 *       must not let a PSBT of any size through because it is not a Nostr event.
 *   <li>{@code not}: inverts allow and deny.
 *   <li>A combinator none of whose children apply does not apply either: n/a only means allow
 *       beside a rule that does apply, so a policy that says nothing about a job denies it.
 * </ul>
 */
final class RuleEvaluator {
  private final JobFacts job;
  private final Counters counters;
  private final Network network;
  private final SigningEngine verifier;

  RuleEvaluator(JobFacts job, Counters counters, Network network, SigningEngine verifier) {
    this.job = job;
    this.counters = counters;
    this.network = network;
    this.verifier = verifier;
  }

  Verdict evaluate(Rule rule) {
    return switch (rule) {
      case Rule.All all -> all(all);
      case Rule.Any any -> any(any);
      case Rule.Not not -> not(not);
      default -> {
        Check check = check(rule);
        yield new Verdict(
            check.outcome(),
            rule.id(),
            check.detail(),
            List.of(new Trace(rule.id(), rule.type(), check.outcome(), check.detail())));
      }
    };
  }

  private Check check(Rule rule) {
    return switch (rule) {
      case Rule.MaxAmount r -> spend(r, s -> SpendChecks.maxAmount(r, s));
      case Rule.Velocity r -> spend(r, s -> CounterChecks.velocity(r, job, counters));
      case Rule.MaxCount r -> CounterChecks.maxCount(r, job, counters);
      case Rule.MaxFee r -> spend(r, s -> SpendChecks.maxFee(r, s));
      case Rule.AllowDestinations r -> spend(r, s -> SpendChecks.allowDestinations(r, s, network));
      case Rule.DenyDestinations r -> spend(r, s -> SpendChecks.denyDestinations(r, s, network));
      case Rule.AllowedHours r -> CalendarChecks.hours(r, job);
      case Rule.AllowedWeekdays r -> CalendarChecks.weekdays(r, job);
      case Rule.AllowedKinds r -> KindChecks.jobKinds(r, job);
      case Rule.NostrEventKinds r -> KindChecks.nostrKinds(r, job);
      case Rule.Approvals r -> ApprovalCheck.check(r, job, verifier);
      case Rule.All r -> throw new IllegalStateException("combinator " + r.id());
      case Rule.Any r -> throw new IllegalStateException("combinator " + r.id());
      case Rule.Not r -> throw new IllegalStateException("combinator " + r.id());
    };
  }

  /** A check on what a PSBT pays; no other job pays anything. */
  private Check spend(Rule rule, Function<SpendFacts, Check> check) {
    return job.spend().map(check).orElseGet(() -> Check.notApplicable(rule.type(), job.kind()));
  }

  private Verdict all(Rule.All all) {
    List<Verdict> children = all.children().stream().map(this::evaluate).toList();
    Optional<Verdict> denied = first(children, Outcome.DENY);
    if (denied.isPresent()) {
      return decidedBy(all, Outcome.DENY, denied.get(), children);
    }
    long applied = children.stream().filter(v -> v.outcome() != Outcome.NOT_APPLICABLE).count();
    if (applied == 0) {
      return own(all, Outcome.NOT_APPLICABLE, "all: no rule applies to " + jobText(), children);
    }
    long skipped = children.size() - applied;
    String reason =
        Text.format("all: %d of %d rules allow", applied, children.size())
            + (skipped == 0 ? "" : Text.format(", %d n/a", skipped));
    return own(all, Outcome.ALLOW, reason, children);
  }

  private Verdict any(Rule.Any any) {
    List<Verdict> children = any.children().stream().map(this::evaluate).toList();
    Optional<Verdict> allowed = first(children, Outcome.ALLOW);
    if (allowed.isPresent()) {
      return decidedBy(any, Outcome.ALLOW, allowed.get(), children);
    }
    if (first(children, Outcome.DENY).isEmpty()) {
      return own(any, Outcome.NOT_APPLICABLE, "any: no rule applies to " + jobText(), children);
    }
    // A child that does not apply has no opinion: it cannot make an alternative pass.
    String reasons =
        children.stream()
            .filter(v -> v.outcome() == Outcome.DENY)
            .map(Verdict::reason)
            .collect(Collectors.joining("; "));
    return own(any, Outcome.DENY, "any: none allows (" + reasons + ")", children);
  }

  private Verdict not(Rule.Not not) {
    Verdict child = evaluate(not.child());
    Outcome outcome =
        switch (child.outcome()) {
          case ALLOW -> Outcome.DENY;
          case DENY -> Outcome.ALLOW;
          case NOT_APPLICABLE -> Outcome.NOT_APPLICABLE;
        };
    return own(not, outcome, "not(" + not.child().id() + "): " + child.reason(), List.of(child));
  }

  private static Optional<Verdict> first(List<Verdict> verdicts, Outcome outcome) {
    return verdicts.stream().filter(v -> v.outcome() == outcome).findFirst();
  }

  /** A combinator's verdict that one descendant decided: its id and reason carry up. */
  private static Verdict decidedBy(
      Rule rule, Outcome outcome, Verdict decider, List<Verdict> children) {
    String detail = "decided by " + decider.ruleId() + ": " + decider.reason();
    return new Verdict(
        outcome, decider.ruleId(), decider.reason(), trace(rule, outcome, detail, children));
  }

  /** A combinator's verdict that it decides itself. */
  private static Verdict own(Rule rule, Outcome outcome, String reason, List<Verdict> children) {
    return new Verdict(outcome, rule.id(), reason, trace(rule, outcome, reason, children));
  }

  private static List<Trace> trace(
      Rule rule, Outcome outcome, String detail, List<Verdict> children) {
    List<Trace> trace = new ArrayList<>();
    trace.add(new Trace(rule.id(), rule.type(), outcome, detail));
    children.forEach(child -> trace.addAll(child.trace()));
    return trace;
  }

  private String jobText() {
    return "a " + job.kind().wireName() + " job";
  }
}
