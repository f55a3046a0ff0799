package dev.keep.api.http;

/**
 * Every problem the HTTP API answers with: its {@code type} URI reference, title, status and the
 * code clients matched on before problem+json. The OpenAPI document ({@code schema/src/main/resources/keep/openapi.yaml})
 * describes each one under the same slug; a test keeps the two in step.
 */
public enum ProblemType {
  /** Not JSON, a key given twice, not UTF-8, an empty body, a bad header or query parameter. */
  MALFORMED("malformed-request", "The request is malformed", 400, "INVALID_REQUEST"),
  UNAUTHENTICATED("unauthenticated", "No valid API key", 401, "UNAUTHENTICATED"),
  /** The API key's role does not allow the route: an auditor's key on a route that changes something. */
  FORBIDDEN("forbidden", "The API key's role does not allow this", 403, "FORBIDDEN"),
  /** Also another tenant's job, key or batch: the two are indistinguishable. */
  NOT_FOUND("not-found", "Not found", 404, "NOT_FOUND"),
  METHOD_NOT_ALLOWED("method-not-allowed", "Method not allowed", 405, "METHOD_NOT_ALLOWED"),
  IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", "The idempotency key was used for another request", 409,
      "IDEMPOTENCY_KEY_REUSED"),
  IDEMPOTENCY_IN_PROGRESS("idempotency-request-in-progress",
      "The first request with this idempotency key has not been answered yet", 409, "IDEMPOTENCY_IN_PROGRESS"),
  /** The resource changed while the request was answered (two changes to one webhook at once); retry. */
  CONFLICT("conflict", "The resource changed while the request was answered", 409, "CONFLICT"),
  PAYLOAD_TOO_LARGE("payload-too-large", "The body or the job is too large", 413, "PAYLOAD_TOO_LARGE"),
  UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "The body must be application/json", 415,
      "UNSUPPORTED_MEDIA_TYPE"),
  /** Valid JSON that breaks a rule: the schema, a field's format, a key the tenant does not have. */
  INVALID("invalid-request", "The request breaks a rule", 422, "INVALID_REQUEST"),
  RATE_LIMITED("rate-limited", "Too many requests", 429, "RATE_LIMITED"),
  INTERNAL("internal", "Internal error", 500, "INTERNAL");

  private final String slug;
  private final String title;
  private final int status;
  private final String code;

  ProblemType(String slug, String title, int status, String code) {
    this.slug = slug;
    this.title = title;
    this.status = status;
    this.code = code;
  }

  /** The {@code type} member: a URI reference relative to the API's base URL. */
  public String uri() {
    return "/problems/" + slug;
  }

  public String slug() {
    return slug;
  }

  public String title() {
    return title;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }
}
