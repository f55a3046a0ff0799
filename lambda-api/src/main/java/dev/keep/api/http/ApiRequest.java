package dev.keep.api.http;

import dev.keep.api.auth.Tenant;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An authenticated request: the event, its tenant, its request id (the {@code instance} of any
 * problem), the path's parameters if the route has them ({@code /v1/webhooks/{pathId}/deliveries/{subId}/resend}),
 * and the query decoded once.
 */
public record ApiRequest(HttpApiEvent event, Tenant tenant, String requestId, String pathId, String subId,
    Map<String, String> query) {

  /**
   * Decodes the query string: each parameter at most once, and only those the route knows.
   *
   * @throws ProblemException 400 naming the parameter
   */
  public static Map<String, String> query(String raw, Set<String> known) {
    Map<String, String> query = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return query;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name;
      String value;
      try {
        name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new ProblemException(ProblemType.MALFORMED, "query: '" + dev.keep.schema.encoding.Echo.of(pair)
            + "' is not percent-encoded correctly");
      }
      if (!known.contains(name)) {
        throw ProblemException.field(ProblemType.MALFORMED, "query." + dev.keep.schema.encoding.Echo.of(name),
            "is not a parameter of this route (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
      }
      if (query.put(name, value) != null) {
        throw ProblemException.field(ProblemType.MALFORMED, "query." + name, "is given more than once");
      }
    }
    return query;
  }

  public Optional<String> param(String name) {
    return Optional.ofNullable(query.get(name));
  }
}
