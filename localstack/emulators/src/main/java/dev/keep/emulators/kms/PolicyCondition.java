package dev.keep.emulators.kms;

import java.util.List;
import java.util.Optional;

/**
 * One test of a statement's Condition block: an operator, a condition key and its allowed values.
 * Semantics from the IAM JSON policy reference, "Condition operators"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
 *
 * <ul>
 *   <li>StringEquals / StringEqualsIgnoreCase: the request's value equals one of the values (a list
 *       is "any of"); a key the request lacks never matches;
 *   <li>Null "true": the key is absent from the request; Null "false": it is present.
 * </ul>
 *
 * @param key the condition key as the policy wrote it
 * @param kind what the key is about
 * @param values for Null, exactly one value, "true" or "false"
 */
record PolicyCondition(
    Operator operator, String key, ConditionKeys.Kind kind, List<String> values) {

  /** The condition operators this endpoint evaluates; any other is refused when a policy is set. */
  enum Operator {
    STRING_EQUALS("StringEquals"),
    STRING_EQUALS_IGNORE_CASE("StringEqualsIgnoreCase"),
    NULL("Null");

    private final String policyName;

    Operator(String policyName) {
      this.policyName = policyName;
    }

    String policyName() {
      return policyName;
    }

    static Optional<Operator> byName(String name) {
      for (Operator operator : values()) {
        if (operator.policyName.equals(name)) {
          return Optional.of(operator);
        }
      }
      return Optional.empty();
    }
  }

  PolicyCondition {
    values = List.copyOf(values);
  }

  /** Empty when the condition holds for {@code request}; else why not, naming key and values. */
  Optional<String> failure(RequestContext request) {
    Optional<String> presented = request.value(key);
    return switch (operator) {
      case NULL -> {
        boolean mustBeAbsent = values.getFirst().equals("true");
        if (mustBeAbsent == presented.isEmpty()) {
          yield Optional.empty();
        }
        yield Optional.of(
            mustBeAbsent
                ? key
                    + " is "
                    + presented.get()
                    + "; the key policy requires it absent (Null: true)"
                : request.whyAbsent(key, kind) + "; the key policy requires it (Null: false)");
      }
      case STRING_EQUALS, STRING_EQUALS_IGNORE_CASE -> {
        if (presented.isEmpty()) {
          yield Optional.of(request.whyAbsent(key, kind));
        }
        String value = presented.get();
        if (values.stream().anyMatch(allowed -> equal(allowed, value))) {
          yield Optional.empty();
        }
        yield Optional.of(
            key + " is " + value + "; the key policy allows " + allowed() + hint(value));
      }
    };
  }

  /** What makes the condition hold for {@code request}, for explaining an explicit Deny. */
  String whyItHolds(RequestContext request) {
    return switch (operator) {
      case NULL ->
          request.value(key).map(value -> key + " is " + value).orElse(request.whyAbsent(key, kind))
              + "; Null: "
              + values.getFirst();
      case STRING_EQUALS, STRING_EQUALS_IGNORE_CASE ->
          key + " is " + request.value(key).orElse("?") + " (" + operator.policyName() + ")";
    };
  }

  private boolean equal(String allowed, String value) {
    return operator == Operator.STRING_EQUALS_IGNORE_CASE
        ? allowed.equalsIgnoreCase(value)
        : allowed.equals(value);
  }

  private String allowed() {
    return values.size() == 1 ? values.getFirst() : "any of " + String.join(", ", values);
  }

  /**
   * KMS presents PCRs in lower-case hex and StringEquals compares exactly, so an upper-case PCR in
   * the policy never matches on AWS either; say so rather than leave the operator puzzled.
   */
  private String hint(String value) {
    if (operator == Operator.STRING_EQUALS
        && values.stream().anyMatch(allowed -> allowed.equalsIgnoreCase(value))) {
      return " (they differ only in case: StringEquals is case-sensitive, as in AWS;"
          + " use StringEqualsIgnoreCase for hex)";
    }
    return "";
  }

  @Override
  public String toString() {
    return operator.policyName() + " " + key + " " + values;
  }
}
