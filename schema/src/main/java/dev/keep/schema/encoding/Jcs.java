package dev.keep.schema.encoding;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The JSON Canonicalization Scheme, RFC 8785: one byte string per JSON value, so that two requests
 * that mean the same thing hash the same (idempotency keys) and anyone can recompute what was
 * signed (receipts).
 *
 * <ul>
 *   <li>Objects: members sorted by their names' UTF-16 code units (§3.2.3), no whitespace.
 *   <li>Strings: only {@code "}, {@code \} and the controls below U+0020 are escaped; the five with
 *       a short form use it, the rest a backslash, {@code u} and four lower-case hex digits (§3.2.2.2).
 *   <li>Numbers: as ECMAScript's {@code Number.prototype.toString} prints the IEEE-754 double
 *       (§3.2.2.3). An integer beyond ±2^53 has no exact double, so two different integers would
 *       canonicalise alike; such a value is refused rather than silently merged (I-JSON, RFC 7493
 *       §2.2, asks for strings there).
 * </ul>
 */
public final class Jcs {
  private static final BigInteger MAX_EXACT = BigInteger.ONE.shiftLeft(53);

  private Jcs() {}

  /** The value's canonical UTF-8 bytes. */
  public static byte[] canonicalize(JsonNode value) {
    return canonicalString(value).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The value's canonical text.
   *
   * @throws IllegalArgumentException naming the field, for an integer beyond ±2^53, a number that is
   *     not finite, or a string with an unpaired surrogate (no UTF-8 form)
   */
  public static String canonicalString(JsonNode value) {
    StringBuilder out = new StringBuilder();
    write(value, "", out);
    return out.toString();
  }

  private static void write(JsonNode node, String path, StringBuilder out) {
    switch (node.getNodeType()) {
      case OBJECT -> {
        List<Map.Entry<String, JsonNode>> members = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          members.add(it.next());
        }
        // String.compareTo compares UTF-16 code units, which is what §3.2.3 specifies.
        members.sort(Map.Entry.comparingByKey());
        out.append('{');
        for (int i = 0; i < members.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          String name = members.get(i).getKey();
          String at = path.isEmpty() ? name : path + "." + name;
          string(name, at, out);
          out.append(':');
          write(members.get(i).getValue(), at, out);
        }
        out.append('}');
      }
      case ARRAY -> {
        out.append('[');
        for (int i = 0; i < node.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          write(node.get(i), path + "[" + i + "]", out);
        }
        out.append(']');
      }
      case STRING -> string(node.textValue(), path, out);
      case NUMBER -> out.append(number(node, path));
      case BOOLEAN -> out.append(node.booleanValue() ? "true" : "false");
      case NULL -> out.append("null");
      default -> throw new IllegalArgumentException(label(path) + "is not a JSON value (" + node.getNodeType() + ")");
    }
  }

  private static String number(JsonNode node, String path) {
    if (node.isIntegralNumber()) {
      BigInteger v = node.bigIntegerValue();
      if (v.abs().compareTo(MAX_EXACT) > 0) {
        throw new IllegalArgumentException(label(path) + "an integer beyond ±2^53 has no exact IEEE-754 double;"
            + " RFC 8785 cannot canonicalise it (send it as a string)");
      }
      return v.toString();
    }
    double d = node.doubleValue();
    if (!Double.isFinite(d)) {
      throw new IllegalArgumentException(label(path) + "is not a finite number");
    }
    return es6(d);
  }

  /**
   * ECMAScript's Number::toString (ECMA-262 §6.1.6.1.20, "Number::toString") for a finite double.
   * Java's {@link Double#toString} gives the shortest decimal that rounds to the double (JDK 19
   * on, JDK-4511638), as ECMAScript requires; this only lays those digits out ECMAScript's way.
   */
  static String es6(double d) {
    if (d == 0) {
      return "0"; // also -0 (§3.2.2.3)
    }
    if (d < 0) {
      return "-" + es6(-d);
    }
    String java = Double.toString(d);
    int e = java.indexOf('E');
    String mantissa = e < 0 ? java : java.substring(0, e);
    int exponent = e < 0 ? 0 : Integer.parseInt(java.substring(e + 1));
    int point = mantissa.indexOf('.');
    String digits = mantissa.substring(0, point) + mantissa.substring(point + 1);
    // value = 0.digits × 10^n
    int n = point + exponent;
    int lead = 0;
    while (lead < digits.length() - 1 && digits.charAt(lead) == '0') {
      lead++;
    }
    digits = digits.substring(lead);
    n -= lead;
    int end = digits.length();
    while (end > 1 && digits.charAt(end - 1) == '0') {
      end--;
    }
    String s = digits.substring(0, end);
    // Java may print two digits where one would round-trip (its spec takes length 1 or 2 when the
    // shortest is 1, then the closest: 4.9E-324); ECMAScript wants the fewest digits first.
    if (s.length() == 2) {
      String one = oneDigit(d, s, n);
      if (one != null) {
        n = one.length() == 2 ? n + 1 : n;
        s = one.substring(0, 1);
      }
    }
    int k = s.length();
    if (k <= n && n <= 21) {
      return s + "0".repeat(n - k);
    }
    if (0 < n && n <= 21) {
      return s.substring(0, n) + "." + s.substring(n);
    }
    if (-6 < n && n <= 0) {
      return "0." + "0".repeat(-n) + s;
    }
    int exp = n - 1;
    String sign = exp < 0 ? "-" : "+";
    String head = k == 1 ? s : s.charAt(0) + "." + s.substring(1);
    return head + "e" + sign + Math.abs(exp);
  }

  /**
   * The one-digit decimal that rounds to {@code d}, if there is one, for two digits {@code s} with
   * value 0.s × 10^n: the nearer of the two one-digit neighbours that round-trip. "10" stands for a
   * carry into the next power of ten.
   */
  private static String oneDigit(double d, String s, int n) {
    int low = s.charAt(0) - '0';
    java.math.BigDecimal exact = new java.math.BigDecimal(d);
    String best = null;
    java.math.BigDecimal bestDistance = null;
    for (int digit : new int[] {low, low + 1}) {
      java.math.BigDecimal candidate = java.math.BigDecimal.valueOf(digit).scaleByPowerOfTen(n - 1);
      if (candidate.signum() == 0 || candidate.doubleValue() != d) {
        continue;
      }
      java.math.BigDecimal distance = candidate.subtract(exact).abs();
      if (bestDistance == null || distance.compareTo(bestDistance) < 0) {
        best = Integer.toString(digit);
        bestDistance = distance;
      }
    }
    return best;
  }

  private static void string(String value, String path, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        out.append(c).append(value.charAt(++i));
        continue;
      }
      if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(label(path) + "has an unpaired UTF-16 surrogate at character " + i
            + ", which has no UTF-8 form");
      }
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\f' -> out.append("\\f");
        case '\r' -> out.append("\\r");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static String label(String path) {
    return path.isEmpty() ? "" : path + ": ";
  }
}
