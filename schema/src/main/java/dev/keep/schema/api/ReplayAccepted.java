package dev.keep.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code POST /v1/webhooks/{id}/replay}: how many deliveries were queued again. One request replays
 * at most a bounded number; when {@code complete} is false, {@code continueFrom} is the {@code
 * since} to send next.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReplayAccepted(String webhookId, String since, int replayed, boolean complete, String continueFrom) {}
