package dev.keep.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One event's delivery to one endpoint and every attempt at it. {@code messageId} is the {@code
 * webhook-id} header, the same on every attempt and for every endpoint. {@code status}: {@code
 * PENDING} while attempts remain, {@code SUCCEEDED} after a 2xx, {@code FAILED} when the schedule
 * ran out (or the endpoint answered 410 or was deleted), {@code SKIPPED} when the endpoint was
 * disabled at the time (a replay sends it).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeliveryView(
    String deliveryId,
    String webhookId,
    String messageId,
    String eventType,
    String jobId,
    String batchId,
    String status,
    int attemptCount,
    String nextAttemptAt,
    String createdAt,
    String updatedAt,
    List<Attempt> attempts) {

  /**
   * One attempt: when, the HTTP status if an answer came ({@code null} on a timeout, a refused
   * connection or an address the SSRF rules refused, which {@code error} then names), how long it
   * took, and the first 1 KiB of the answer's body.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Attempt(String at, Integer httpStatus, long latencyMs, String response, String error) {}
}
