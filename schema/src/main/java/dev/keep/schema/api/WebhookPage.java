package dev.keep.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** {@code GET /v1/webhooks}: the tenant's endpoints, oldest first, without secrets. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WebhookPage(List<WebhookView> webhooks, String nextCursor) {}
