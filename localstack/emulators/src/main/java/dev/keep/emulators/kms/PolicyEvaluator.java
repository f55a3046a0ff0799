package dev.keep.emulators.kms;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Decides whether a key policy allows one action on its key, with IAM's evaluation logic for a
 * single resource-based policy (IAM user guide, "Policy evaluation logic",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html): an
 * explicit Deny whose conditions hold wins; otherwise an Allow whose conditions hold is needed;
 * otherwise the request is denied implicitly. There is no IAM here, so no identity policy can add
 * permissions: the key policy alone decides, for every caller alike.
 */
final class PolicyEvaluator {
  private PolicyEvaluator() {}

  /** Throws AccessDeniedException unless {@code key}'s policy allows {@code action}. */
  static void authorize(KmsKey key, String action, RequestContext request) {
    Optional<String> reason = decide(key.policy(), action, request);
    if (reason.isPresent()) {
      throw new KmsException(
          KmsError.ACCESS_DENIED, action + " on " + key.arn() + " is not allowed: " + reason.get());
    }
  }

  /** Whether {@code policy} allows {@code action} for {@code request}. */
  static boolean allows(KeyPolicy policy, String action, RequestContext request) {
    return decide(policy, action, request).isEmpty();
  }

  /** Empty when allowed; else the reason, naming the statement and the condition that decided. */
  private static Optional<String> decide(KeyPolicy policy, String action, RequestContext request) {
    boolean allowed = false;
    List<String> failedAllows = new ArrayList<>();
    for (PolicyStatement statement : policy.statements()) {
      if (!statement.appliesTo(action)) {
        continue;
      }
      Optional<String> failure = statement.firstFailure(request);
      switch (statement.effect()) {
        case DENY -> {
          if (failure.isEmpty()) {
            return Optional.of(
                "the key policy denies it explicitly in statement "
                    + statement.label()
                    + because(statement, request));
          }
        }
        case ALLOW -> {
          if (failure.isEmpty()) {
            allowed = true;
          } else {
            failedAllows.add("statement " + statement.label() + ": " + failure.get());
          }
        }
      }
    }
    if (allowed) {
      return Optional.empty();
    }
    if (failedAllows.isEmpty()) {
      return Optional.of("no statement of the key policy allows " + action);
    }
    return Optional.of(
        "no statement of the key policy allows it; " + String.join("; and ", failedAllows));
  }

  private static String because(PolicyStatement statement, RequestContext request) {
    if (statement.conditions().isEmpty()) {
      return " (no conditions)";
    }
    return ": "
        + statement.conditions().stream()
            .map(condition -> condition.whyItHolds(request))
            .collect(Collectors.joining(" and "));
  }
}
