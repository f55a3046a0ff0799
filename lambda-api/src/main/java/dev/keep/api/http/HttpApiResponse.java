package dev.keep.api.http;

import dev.keep.schema.api.ApiError;
import dev.keep.schema.encoding.Json;
import java.util.Map;

/** An API Gateway HTTP API (payload format 2.0) response. */
public record HttpApiResponse(
    int statusCode, Map<String, String> headers, String body, boolean isBase64Encoded) {

  private static final Map<String, String> JSON =
      Map.of("content-type", "application/json", "cache-control", "no-store");

  public static HttpApiResponse json(int status, Object body) {
    return new HttpApiResponse(status, JSON, Json.write(body), false);
  }

  public static HttpApiResponse error(int status, String code, String message) {
    return json(status, ApiError.of(code, message));
  }

  public static HttpApiResponse invalid(String field, String message) {
    return json(400, new ApiError("INVALID_REQUEST", message, field.isEmpty() ? null : field));
  }

  public static HttpApiResponse unauthorized(String message) {
    return new HttpApiResponse(
        401,
        Map.of("content-type", "application/json", "cache-control", "no-store", "www-authenticate", "Bearer"),
        Json.write(ApiError.of("UNAUTHENTICATED", message)),
        false);
  }
}
