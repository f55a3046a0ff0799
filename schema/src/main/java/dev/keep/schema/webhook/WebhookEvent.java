package dev.keep.schema.webhook;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/**
 * The body of every delivery, as the Standard Webhooks specification shapes a payload: the event's
 * {@code type}, when it happened ({@code timestamp}, ISO-8601; not when it was sent, which the
 * {@code webhook-timestamp} header says), and {@code data}. For {@code job.*} events {@code data}
 * is the {@code JobView} that {@code GET /v1/jobs/{id}} answers; for {@code batch.completed} the
 * {@code BatchView} of {@code GET /v1/batches/{id}}; for {@code webhook.test} a {@link TestData}.
 */
@JsonPropertyOrder({"type", "timestamp", "data"})
public record WebhookEvent(EventType type, String timestamp, Object data) {
  public WebhookEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(data, "data");
  }

  /** {@code data} of a {@code webhook.test} event. */
  public record TestData(String webhookId, String message) {}
}
