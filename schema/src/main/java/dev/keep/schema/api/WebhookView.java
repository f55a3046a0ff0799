package dev.keep.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.keep.schema.webhook.EventType;
import java.util.List;

/**
 * A webhook endpoint as the API shows it. {@code secret} ({@code whsec_} and the base64 of 32
 * random bytes) is present only in the answers to {@code POST /v1/webhooks} and {@code
 * rotate-secret}: Keep keeps it only as KMS ciphertext afterwards. {@code disabledReason} says why
 * Keep disabled it (410 Gone, five days of failures) or that its owner did.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WebhookView(
    String webhookId,
    String url,
    List<EventType> eventTypes,
    String description,
    boolean disabled,
    String disabledReason,
    String failingSince,
    String createdAt,
    String updatedAt,
    String secret) {

  /** The same view with {@code secret} set: only for the answer that hands the secret out. */
  public WebhookView withSecret(String newSecret) {
    return new WebhookView(webhookId, url, eventTypes, description, disabled, disabledReason, failingSince, createdAt,
        updatedAt, newSecret);
  }
}
