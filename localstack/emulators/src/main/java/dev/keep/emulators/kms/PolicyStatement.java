package dev.keep.emulators.kms;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One statement of a key policy. Its Principal is checked for shape only: this endpoint has no IAM
 * and no caller identity, so every statement applies to every caller. Its Resource is "*", which in
 * a key policy means the key itself.
 *
 * @param label the Sid in quotes, or "#n" for the n-th statement without one, for messages
 * @param actions the Action patterns, lower case ("kms:decrypt", "kms:*", "kms:describe*")
 * @param conditions every one must hold (IAM: the conditions of a block are ANDed)
 */
record PolicyStatement(
    String label, Effect effect, List<String> actions, List<PolicyCondition> conditions) {

  enum Effect {
    ALLOW,
    DENY
  }

  PolicyStatement {
    actions = actions.stream().map(action -> action.toLowerCase(Locale.ROOT)).toList();
    conditions = List.copyOf(conditions);
  }

  /** Whether an Action pattern names {@code action}; IAM action names ignore case. */
  boolean appliesTo(String action) {
    String wanted = action.toLowerCase(Locale.ROOT);
    return actions.stream().anyMatch(pattern -> glob(pattern, 0, wanted, 0));
  }

  /** The first condition that fails for {@code request}, explained; empty when all hold. */
  Optional<String> firstFailure(RequestContext request) {
    for (PolicyCondition condition : conditions) {
      Optional<String> failure = condition.failure(request);
      if (failure.isPresent()) {
        return failure;
      }
    }
    return Optional.empty();
  }

  /** IAM wildcards in action names: '*' any run of characters, '?' any one character. */
  private static boolean glob(String pattern, int p, String text, int t) {
    while (p < pattern.length()) {
      char c = pattern.charAt(p);
      if (c == '*') {
        for (int rest = t; rest <= text.length(); rest++) {
          if (glob(pattern, p + 1, text, rest)) {
            return true;
          }
        }
        return false;
      }
      if (t == text.length() || (c != '?' && c != text.charAt(t))) {
        return false;
      }
      p++;
      t++;
    }
    return t == text.length();
  }
}
