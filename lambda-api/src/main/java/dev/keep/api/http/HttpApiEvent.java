package dev.keep.api.http;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.keep.schema.encoding.Utf8;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The part of an API Gateway HTTP API (payload format 2.0) event that the handlers read. Unknown
 * fields are ignored here on purpose: this is AWS's envelope, and AWS adds fields over time; the
 * client's own body is validated strictly elsewhere.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record HttpApiEvent(
    String version,
    String routeKey,
    String rawPath,
    String rawQueryString,
    Map<String, String> headers,
    Map<String, String> pathParameters,
    RequestContext requestContext,
    String body,
    boolean isBase64Encoded) {

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record RequestContext(String requestId, Http http, long timeEpoch) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Http(String method, String path, String sourceIp) {}

  public String method() {
    return requestContext == null || requestContext.http() == null
        ? ""
        : requestContext.http().method().toUpperCase(Locale.ROOT);
  }

  /** The path without a trailing slash. */
  public String path() {
    String path = rawPath != null ? rawPath : requestContext != null && requestContext.http() != null ? requestContext.http().path() : "/";
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /** Header lookup; API Gateway v2 lower-cases header names, but local callers may not. */
  public Optional<String> header(String name) {
    if (headers == null) {
      return Optional.empty();
    }
    for (Map.Entry<String, String> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return Optional.ofNullable(e.getValue());
      }
    }
    return Optional.empty();
  }

  /** The body could not be turned into bytes; the message says why. */
  public static final class InvalidBody extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidBody(String message) {
      super(message);
    }
  }

  /**
   * The body's bytes, as the client sent them: base64-decoded when API Gateway encoded it (it does
   * for bodies that are not valid UTF-8 text), else the text's UTF-8. Callers measure and decode
   * these bytes, never a {@code String} decoded with replacement characters.
   */
  public byte[] bodyBytes() throws InvalidBody {
    if (body == null) {
      return new byte[0];
    }
    if (isBase64Encoded) {
      try {
        return Base64.getDecoder().decode(body);
      } catch (IllegalArgumentException e) {
        throw new InvalidBody("body: marked base64 but is not valid base64");
      }
    }
    try {
      return Utf8.encode(body, "body");
    } catch (Utf8.MalformedException e) {
      throw new InvalidBody(e.getMessage());
    }
  }
}
