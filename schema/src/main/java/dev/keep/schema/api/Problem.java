package dev.keep.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Every error answer of the HTTP API, as RFC 9457 ("Problem Details for HTTP APIs") shapes it,
 * sent as {@code application/problem+json}. {@code type} is a stable URI reference per problem
 * ({@code /problems/<slug>}, each documented in the OpenAPI document); {@code instance} is the
 * request id; {@code code} is the upper-case code Keep's errors had before problem+json, kept for
 * clients that match on it; {@code errors} names each field at fault.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
    String type, String title, int status, String detail, String instance, String code, List<FieldError> errors) {

  public Problem {
    errors = errors == null || errors.isEmpty() ? null : List.copyOf(errors);
  }

  /** One field at fault: a JSON path such as {@code items[3].message}, and what is wrong with it. */
  public record FieldError(String field, String message) {}
}
