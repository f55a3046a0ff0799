package dev.keep.api.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keep.api.http.ProblemException;
import dev.keep.api.http.ProblemType;
import dev.keep.schema.encoding.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A listing's cursor: where the next page starts, for one tenant and one listing. Opaque to
 * clients (base64url); it names the tenant and the listing it was made for, and a cursor shown
 * to another tenant or another listing is refused. It is not secret and needs no signature: the
 * query always runs on the caller's own partition, so at worst a forged cursor skips within the
 * caller's own jobs.
 */
public final class Cursor {
  private Cursor() {}

  public static String encode(String tenantId, String listing, Map<String, AttributeValue> key) {
    ObjectNode node = Json.MAPPER.createObjectNode().put("v", 1).put("t", tenantId).put("l", listing);
    ObjectNode k = node.putObject("k");
    key.forEach((name, value) -> {
      if (value.s() != null) {
        k.putObject(name).put("S", value.s());
      } else {
        k.putObject(name).put("N", value.n());
      }
    });
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.write(node).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * @throws ProblemException 400 naming {@code cursor} when it is not one of ours, or not for this
   *     tenant and listing
   */
  public static Map<String, AttributeValue> decode(String cursor, String tenantId, String listing, Set<String> attributes) {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | java.io.IOException e) {
      throw invalid("is not a cursor this API gave out");
    }
    if (node == null || !node.isObject() || node.path("v").asInt() != 1 || !node.path("k").isObject()) {
      throw invalid("is not a cursor this API gave out");
    }
    if (!tenantId.equals(node.path("t").asText()) || !listing.equals(node.path("l").asText())) {
      throw invalid("was given out for another listing or another tenant");
    }
    Map<String, AttributeValue> key = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.path("k").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (v.path("S").isTextual()) {
        key.put(e.getKey(), AttributeValue.fromS(v.path("S").asText()));
      } else if (v.path("N").isTextual() && v.path("N").asText().matches("-?[0-9]{1,20}")) {
        key.put(e.getKey(), AttributeValue.fromN(v.path("N").asText()));
      } else {
        throw invalid("is not a cursor this API gave out");
      }
    }
    if (!key.keySet().equals(attributes)) {
      throw invalid("is not a cursor this API gave out");
    }
    return key;
  }

  private static ProblemException invalid(String rule) {
    return ProblemException.field(ProblemType.MALFORMED, "query.cursor", rule);
  }
}
