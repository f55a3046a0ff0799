package dev.keep.enclave.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keep.schema.encoding.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * A policy document in one spelling, so that its hash does not depend on layout: object keys sorted
 * (by UTF-16 code unit; every key a valid policy can hold is ASCII), no whitespace, values as
 * parsed (an integer written {@code -0} becomes {@code 0}).
 */
final class CanonicalJson {
  private CanonicalJson() {}

  static String write(JsonNode document) {
    return Json.write(sorted(document));
  }

  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      names.sort(null);
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      for (String name : names) {
        out.set(name, sorted(node.get(name)));
      }
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      node.forEach(child -> out.add(sorted(child)));
      return out;
    }
    return node;
  }
}
