package dev.keep.enclave.policy;

import java.util.stream.Collectors;

/** Which kinds of job, and which Nostr event kinds, a key may sign. */
final class KindChecks {
  private KindChecks() {}

  static Check jobKinds(Rule.AllowedKinds rule, JobFacts job) {
    boolean allowed = rule.kinds().contains(job.kind());
    return Check.of(
        allowed,
        Text.format(
            "allowed_kinds: %s is %sone of %s",
            job.kind().wireName(),
            allowed ? "" : "not ",
            rule.kinds().stream().map(JobKind::wireName).collect(Collectors.joining(", "))));
  }

  /** Only for Nostr events; other jobs have no event kind. */
  static Check nostrKinds(Rule.NostrEventKinds rule, JobFacts job) {
    if (job.nostrKind().isEmpty()) {
      return Check.notApplicable(rule.type(), job.kind());
    }
    int kind = job.nostrKind().getAsInt();
    boolean allowed = rule.kinds().contains(kind);
    return Check.of(
        allowed,
        Text.format(
            "nostr_event_kinds: kind %d is %sone of %s",
            kind,
            allowed ? "" : "not ",
            rule.kinds().stream().map(String::valueOf).collect(Collectors.joining(", "))));
  }
}
