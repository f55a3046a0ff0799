package dev.keep.api.http;

import dev.keep.schema.api.Problem;
import dev.keep.schema.encoding.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/** An API Gateway HTTP API (payload format 2.0) response. */
public record HttpApiResponse(
    int statusCode, Map<String, String> headers, String body, boolean isBase64Encoded) {

  private static final Map<String, String> JSON =
      Map.of("content-type", "application/json", "cache-control", "no-store");

  public static HttpApiResponse json(int status, Object body) {
    return new HttpApiResponse(status, JSON, Json.write(body), false);
  }

  /** An RFC 9457 answer: {@code application/problem+json}, with the problem's own headers. */
  public static HttpApiResponse problem(Problem problem, Map<String, String> extra) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("content-type", "application/problem+json");
    headers.put("cache-control", "no-store");
    if (problem.status() == 401) {
      headers.put("www-authenticate", "Bearer");
    }
    headers.putAll(extra);
    return new HttpApiResponse(problem.status(), Map.copyOf(headers), Json.write(problem), false);
  }
}
