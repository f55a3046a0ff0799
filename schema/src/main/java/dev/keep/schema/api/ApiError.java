package dev.keep.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An error body: a stable {@code code}, a message for people, and the offending field where there
 * is one. Also the {@code error} of a REJECTED or FAILED job.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String code, String message, String field) {
  public static ApiError of(String code, String message) {
    return new ApiError(code, message, null);
  }
}
