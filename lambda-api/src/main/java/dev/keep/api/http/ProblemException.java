package dev.keep.api.http;

import dev.keep.schema.api.Problem;
import dev.keep.schema.encoding.SchemaViolation;
import java.util.List;
import java.util.Map;

/**
 * A request that gets a problem answer. Handlers throw it; {@code KeepApi} turns it into the
 * response, with the request id as {@code instance}. Never carries a secret: {@code detail} repeats
 * the client's input only through {@link dev.keep.schema.encoding.Echo}.
 */
public final class ProblemException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ProblemType type;
  private final transient List<Problem.FieldError> errors;
  private final transient Map<String, String> headers;

  public ProblemException(ProblemType type, String detail) {
    this(type, detail, List.of(), Map.of());
  }

  public ProblemException(ProblemType type, String detail, List<Problem.FieldError> errors, Map<String, String> headers) {
    super(detail, null, false, false);
    this.type = type;
    this.errors = List.copyOf(errors);
    this.headers = Map.copyOf(headers);
  }

  /** A field at fault: 400 when the body is not JSON at all, else 422. */
  public static ProblemException of(SchemaViolation violation) {
    ProblemType type = violation.malformed() ? ProblemType.MALFORMED : ProblemType.INVALID;
    // A document that is not JSON at all has no field at fault but itself: "body".
    String field = violation.field().isEmpty() ? "body" : violation.field();
    List<Problem.FieldError> errors = List.of(new Problem.FieldError(field, violation.rule()));
    return new ProblemException(type, violation.getMessage(), errors, Map.of());
  }

  /** One field at fault. */
  public static ProblemException field(ProblemType type, String field, String rule) {
    return new ProblemException(type, field + ": " + rule, List.of(new Problem.FieldError(field, rule)), Map.of());
  }

  public ProblemType type() {
    return type;
  }

  public List<Problem.FieldError> errors() {
    return errors;
  }

  public Map<String, String> headers() {
    return headers;
  }

  public Problem problem(String instance) {
    return new Problem(type.uri(), type.title(), type.status(), getMessage(), instance, type.code(), errors);
  }
}
