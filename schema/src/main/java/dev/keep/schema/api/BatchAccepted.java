package dev.keep.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The 202 answer to {@code POST /v1/batches}: one entry per item, in order, each either the job it
 * became or the problem that kept it out. Only the accepted items were stored.
 */
public record BatchAccepted(String batchId, String status, List<Item> items) {
  /** An item: {@code jobId} when accepted, {@code error} when refused; {@code reference} echoed. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Item(int index, String reference, String jobId, Problem error) {}
}
