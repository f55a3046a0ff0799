package dev.keep.enclave.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Set;

/** Typed reads from a policy's JSON tree; every failure names the path and the rule. */
final class JsonFields {
  private JsonFields() {}

  static String at(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  static String at(String path, int index) {
    return path + "." + index;
  }

  static JsonNode object(JsonNode node, String path) throws PolicyException {
    if (node == null || !node.isObject()) {
      throw new PolicyException(path, "must be a JSON object");
    }
    return node;
  }

  /** Refuses any field of {@code object} not in {@code allowed}, naming the first one. */
  static void onlyFields(JsonNode object, String path, Set<String> allowed) throws PolicyException {
    for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new PolicyException(at(path, Text.printable(name)), "unknown field");
      }
    }
  }

  static JsonNode required(JsonNode object, String path, String field) throws PolicyException {
    JsonNode value = object.get(field);
    if (value == null) {
      throw new PolicyException(at(path, field), "missing");
    }
    return value;
  }

  static String text(JsonNode node, String path) throws PolicyException {
    if (!node.isTextual()) {
      throw new PolicyException(path, "must be a string");
    }
    return node.textValue();
  }

  /** A JSON integer from 1 to {@code max}: not a string, a fraction or an exponent. */
  static long positive(JsonNode node, String path, long max) throws PolicyException {
    if (!node.isIntegralNumber() || node.bigIntegerValue().signum() <= 0) {
      throw new PolicyException(path, "must be a positive integer");
    }
    if (!node.canConvertToLong() || node.longValue() > max) {
      throw new PolicyException(path, "must be at most " + Text.grouped(max));
    }
    return node.longValue();
  }

  /** A JSON integer from {@code min} to {@code max}. */
  static long integer(JsonNode node, String path, long min, long max) throws PolicyException {
    if (!node.isIntegralNumber()
        || !node.canConvertToLong()
        || node.longValue() < min
        || node.longValue() > max) {
      throw new PolicyException(
          path, "must be an integer from " + min + " to " + Text.grouped(max));
    }
    return node.longValue();
  }

  /** An array of {@code min} to {@code max} entries. */
  static JsonNode array(JsonNode node, String path, int min, int max) throws PolicyException {
    if (!node.isArray()) {
      throw new PolicyException(path, "must be an array");
    }
    if (node.size() < min) {
      throw new PolicyException(
          path, "must have at least " + min + (min == 1 ? " entry" : " entries"));
    }
    if (node.size() > max) {
      throw new PolicyException(path, "must have at most " + Text.grouped(max) + " entries");
    }
    return node;
  }
}
