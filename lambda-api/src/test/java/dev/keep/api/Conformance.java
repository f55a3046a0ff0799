package dev.keep.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.schema.api.OpenApiDocument;
import java.util.List;

/**
 * Every answer an API test receives is checked against the OpenAPI document: its status must be
 * documented for the route, its content type too, and its body must match the schema, with no
 * field the document does not name.
 */
final class Conformance {
  private Conformance() {}

  /** {@code response} is the Lambda's v2 response JSON to {@code method path}. */
  static void check(String method, String path, JsonNode response) {
    int status = response.get("statusCode").asInt();
    String contentType = response.path("headers").path("content-type").asText(null);
    String body = response.path("body").asText(null);
    List<String> faults = OpenApiDocument.validateResponse(method, path, status, contentType, body);
    assertEquals(List.of(), faults, () -> method + " " + path + " answered " + status + " outside the OpenAPI document: "
        + (body == null ? "" : body.substring(0, Math.min(300, body.length()))));
  }
}
