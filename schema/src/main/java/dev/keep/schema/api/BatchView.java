package dev.keep.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * {@code GET /v1/batches/{id}}: how many of the batch's jobs are in each status now. Made from the
 * jobs themselves, so a job delivered twice still counts once, in its current status. {@code done}
 * when every job is terminal; {@code completedAt} is then the last one's end.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BatchView(String batchId, String createdAt, int total, int refused, Map<String, Integer> counts,
    boolean done, String completedAt) {}
