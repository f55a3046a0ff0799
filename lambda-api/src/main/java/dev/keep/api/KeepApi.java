package dev.keep.api;

import dev.keep.api.audit.AuditApi;
import dev.keep.api.auth.RateLimiter;
import dev.keep.api.auth.Tenant;
import dev.keep.api.auth.TenantAuthenticator;
import dev.keep.api.batches.BatchesApi;
import dev.keep.api.http.ApiRequest;
import dev.keep.api.http.HttpApiEvent;
import dev.keep.api.http.HttpApiResponse;
import dev.keep.api.http.ProblemException;
import dev.keep.api.http.ProblemType;
import dev.keep.api.jobs.JobsApi;
import dev.keep.api.webhooks.WebhooksApi;
import dev.keep.schema.api.OpenApiDocument;
import dev.keep.schema.encoding.Echo;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP API's front door: routes, then the checks every route shares, in this order, so that
 * each refusal is the same whatever the route: 404 for a path no route has, 405 with {@code Allow}
 * for a method it lacks, 401 without a valid API key, 429 with {@code Retry-After} over the
 * tenant's rate, 403 for an auditor's key on anything but GET, 415 for a body that is not JSON,
 * 413 for one over the route's limit (measured in bytes, before it is parsed). Every error is an RFC 9457 problem.
 */
public final class KeepApi {
  /** The routes; {@code {id}} is one path segment. */
  public enum Route {
    JOBS("/v1/jobs", Set.of("GET", "POST"), Set.of("keyId", "status", "batchId", "createdAfter", "createdBefore", "limit", "cursor")),
    JOB("/v1/jobs/([^/]+)", Set.of("GET"), Set.of()),
    JOB_DELIVERIES("/v1/jobs/([^/]+)/deliveries", Set.of("GET"), Set.of("limit", "cursor")),
    EVALUATE("/v1/policy/evaluate", Set.of("POST"), Set.of()),
    BATCHES("/v1/batches", Set.of("POST"), Set.of()),
    BATCH("/v1/batches/([^/]+)", Set.of("GET"), Set.of()),
    BATCH_JOBS("/v1/batches/([^/]+)/jobs", Set.of("GET"), Set.of("status", "limit", "cursor")),
    WEBHOOKS("/v1/webhooks", Set.of("GET", "POST"), Set.of("limit", "cursor")),
    WEBHOOK("/v1/webhooks/([^/]+)", Set.of("GET", "PATCH", "DELETE"), Set.of()),
    WEBHOOK_ROTATE("/v1/webhooks/([^/]+)/rotate-secret", Set.of("POST"), Set.of()),
    WEBHOOK_TEST("/v1/webhooks/([^/]+)/test", Set.of("POST"), Set.of()),
    WEBHOOK_DELIVERIES("/v1/webhooks/([^/]+)/deliveries", Set.of("GET"), Set.of("status", "limit", "cursor")),
    WEBHOOK_RESEND("/v1/webhooks/([^/]+)/deliveries/([^/]+)/resend", Set.of("POST"), Set.of()),
    WEBHOOK_REPLAY("/v1/webhooks/([^/]+)/replay", Set.of("POST"), Set.of()),
    AUDIT("/v1/audit", Set.of("GET"), Set.of("keyId", "decision", "from", "to", "limit", "cursor")),
    AUDIT_EXPORT("/v1/audit/export", Set.of("GET"), Set.of("from", "to", "cursor")),
    ATTESTATION("/v1/attestations/([^/]+)", Set.of("GET"), Set.of()),
    /** The OpenAPI 3.1 document of this API, without authentication. */
    OPENAPI("/v1/openapi.json", Set.of("GET"), Set.of());

    private final Pattern path;
    private final Set<String> methods;
    private final Set<String> query;

    Route(String path, Set<String> methods, Set<String> query) {
      this.path = Pattern.compile(path);
      this.methods = methods;
      this.query = query;
    }

    public String allow() {
      return String.join(", ", methods.stream().sorted().toList());
    }
  }

  private final TenantAuthenticator authenticator;
  private final RateLimiter limiter;
  private final JobsApi jobs;
  private final BatchesApi batches;
  private final WebhooksApi webhooks;
  private final AuditApi audit;

  public KeepApi(TenantAuthenticator authenticator, RateLimiter limiter, JobsApi jobs, BatchesApi batches,
      WebhooksApi webhooks, AuditApi audit) {
    this.audit = audit;
    this.authenticator = authenticator;
    this.limiter = limiter;
    this.jobs = jobs;
    this.batches = batches;
    this.webhooks = webhooks;
  }

  public HttpApiResponse handle(HttpApiEvent event) {
    String requestId = event.requestContext() != null && event.requestContext().requestId() != null
        ? event.requestContext().requestId() : UUID.randomUUID().toString();
    try {
      return route(event, requestId);
    } catch (ProblemException e) {
      return HttpApiResponse.problem(e.problem(requestId), e.headers());
    }
  }

  private HttpApiResponse route(HttpApiEvent event, String requestId) {
    String path = event.path();
    Route route = null;
    String id = null;
    String subId = null;
    for (Route r : Route.values()) {
      Matcher m = r.path.matcher(path);
      if (m.matches()) {
        route = r;
        id = m.groupCount() > 0 ? m.group(1) : null;
        subId = m.groupCount() > 1 ? m.group(2) : null;
        break;
      }
    }
    if (route == null) {
      // The path is the client's: the answer repeats at most a short printable prefix of it.
      throw new ProblemException(ProblemType.NOT_FOUND, "no route for " + Echo.of(path));
    }
    String method = event.method();
    if (!route.methods.contains(method)) {
      throw new ProblemException(ProblemType.METHOD_NOT_ALLOWED,
          Echo.of(method) + " is not allowed on this route; use " + route.allow(), List.of(), Map.of("allow", route.allow()));
    }
    if (route == Route.OPENAPI) {
      return new HttpApiResponse(200, Map.of("content-type", "application/json", "cache-control", "no-store"),
          OpenApiDocument.json(), false);
    }
    Optional<Tenant> tenant = authenticator.authenticate(event.header("authorization"));
    if (tenant.isEmpty()) {
      throw new ProblemException(ProblemType.UNAUTHENTICATED, event.header("authorization").isEmpty()
          ? "missing Authorization: Bearer <api key>" : "the API key is not valid");
    }
    long wait = limiter.secondsToWait(tenant.get());
    if (wait > 0) {
      throw new ProblemException(ProblemType.RATE_LIMITED, "tenant " + tenant.get().tenantId() + " is over its rate of "
          + tenant.get().ratePerSecond() + " requests a second (burst " + tenant.get().burst() + "); retry after "
          + wait + " s", List.of(), Map.of("retry-after", Long.toString(wait)));
    }
    if (tenant.get().role() == Tenant.Role.AUDITOR && !method.equals("GET")) {
      throw new ProblemException(ProblemType.FORBIDDEN, "this API key is an auditor's: it reads and never creates or"
          + " changes anything; " + method + " " + Echo.of(path) + " needs a submitter's key");
    }
    if (method.equals("POST") || method.equals("PATCH")) {
      requireJson(event);
    }
    ApiRequest request = new ApiRequest(event, tenant.get(), requestId, id, subId,
        ApiRequest.query(event.rawQueryString(), route.query));
    return switch (route) {
      case JOBS -> method.equals("POST") ? jobs.submit(request, false) : jobs.list(request);
      case JOB -> jobs.get(request);
      case EVALUATE -> jobs.submit(request, true);
      case BATCHES -> batches.submit(request);
      case BATCH -> batches.get(request);
      case BATCH_JOBS -> batches.jobs(request);
      case JOB_DELIVERIES -> webhooks.jobDeliveries(request);
      case WEBHOOKS -> method.equals("POST") ? webhooks.create(request) : webhooks.list(request);
      case WEBHOOK -> switch (method) {
        case "GET" -> webhooks.get(request);
        case "PATCH" -> webhooks.patch(request);
        default -> webhooks.delete(request);
      };
      case WEBHOOK_ROTATE -> webhooks.rotate(request);
      case WEBHOOK_TEST -> webhooks.test(request);
      case WEBHOOK_DELIVERIES -> webhooks.deliveries(request);
      case WEBHOOK_RESEND -> webhooks.resend(request);
      case WEBHOOK_REPLAY -> webhooks.replay(request);
      case AUDIT -> audit.list(request);
      case AUDIT_EXPORT -> audit.export(request);
      case ATTESTATION -> audit.attestation(request);
      case OPENAPI -> throw new IllegalStateException("answered before authentication");
    };
  }

  /** {@code application/json}, in UTF-8 if a charset is named; no header is taken as JSON. */
  private static void requireJson(HttpApiEvent event) {
    Optional<String> type = event.header("content-type");
    if (type.isEmpty()) {
      return;
    }
    String[] parts = type.get().split(";");
    String media = parts[0].trim().toLowerCase(Locale.ROOT);
    boolean utf8 = true;
    for (int i = 1; i < parts.length; i++) {
      String param = parts[i].trim().toLowerCase(Locale.ROOT);
      if (param.startsWith("charset=")) {
        String charset = param.substring("charset=".length()).replace("\"", "");
        utf8 = charset.equals("utf-8") || charset.equals("utf8");
      }
    }
    if (!media.equals("application/json") || !utf8) {
      throw new ProblemException(ProblemType.UNSUPPORTED_MEDIA_TYPE,
          "Content-Type '" + Echo.of(type.get()) + "' is not application/json (UTF-8); send JSON with"
              + " Content-Type: application/json");
    }
  }
}
