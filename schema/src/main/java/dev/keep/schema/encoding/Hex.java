package dev.keep.schema.encoding;

import java.util.HexFormat;

/** Lower-case hex, the only byte encoding in Keep's JSON contracts besides base64 for PSBTs. */
public final class Hex {
  private static final HexFormat LOWER = HexFormat.of();

  private Hex() {}

  public static String encode(byte[] bytes) {
    return LOWER.formatHex(bytes);
  }

  /**
   * Decodes hex of either case.
   *
   * @throws IllegalArgumentException naming {@code field} when the text is not an even number of
   *     hex digits
   */
  public static byte[] decode(String field, String hex) {
    if (!isHex(hex)) {
      throw new IllegalArgumentException(field + ": must be an even number of hex digits");
    }
    return LOWER.parseHex(hex);
  }

  public static boolean isHex(String s) {
    if (s == null || (s.length() & 1) != 0) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (Character.digit(s.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  /** True when {@code s} is hex encoding exactly {@code bytes} bytes. */
  public static boolean isHex(String s, int bytes) {
    return s != null && s.length() == bytes * 2 && isHex(s);
  }
}
