package dev.keep.enclave.policy;

import java.util.Locale;

/** How numbers and names from outside print in reasons and errors. */
final class Text {
  private Text() {}

  /** With thousands separators, the same in every locale: 1,250,000. */
  static String grouped(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** {@link String#format} in {@link Locale#ROOT}: {@code %,d} always groups with commas. */
  static String format(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }

  /** A JSON field name as an error may show it: printable ASCII, at most 64 characters. */
  static String printable(String name) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < name.length() && i < 64; i++) {
      char c = name.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return name.length() > 64 ? out.append("...").toString() : out.toString();
  }
}
