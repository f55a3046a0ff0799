package dev.keep.schema.encoding;

/**
 * What an error message may repeat of a client's input: printable ASCII only, and at most a few
 * dozen characters. An error that echoes input verbatim lets a client put anything of any length
 * into Keep's answers and logs (control characters, terminal escapes, megabytes).
 */
public final class Echo {
  /** Enough for any id Keep issues (a UUID is 36) with room to spare. */
  public static final int DEFAULT_MAX = 64;

  private Echo() {}

  /** {@code input} with anything but printable ASCII as {@code ?}, cut at {@link #DEFAULT_MAX}. */
  public static String of(String input) {
    return of(input, DEFAULT_MAX);
  }

  /** {@code input} with anything but printable ASCII as {@code ?}, cut at {@code max} characters. */
  public static String of(String input, int max) {
    if (input == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(Math.min(input.length(), max) + 24);
    for (int i = 0; i < input.length() && i < max; i++) {
      char c = input.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    if (input.length() > max) {
      out.append("...(").append(input.length() - max).append(" more characters)");
    }
    return out.toString();
  }
}
