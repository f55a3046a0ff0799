package dev.keep.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** A page of the delivery log ({@code GET /v1/webhooks/{id}/deliveries}, {@code GET /v1/jobs/{id}/deliveries}), newest first. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeliveryPage(List<DeliveryView> deliveries, String nextCursor) {}
