package dev.keep.enclave.policy;

import java.util.regex.Pattern;

/** The one spelling of rule ids and approver / admin names, so they print safely in reasons. */
final class Names {
  static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  static final String RULE = "must match [A-Za-z0-9._-]{1,64}";

  private Names() {}

  static boolean isValid(String name) {
    return name != null && PATTERN.matcher(name).matches();
  }
}
