package dev.keep.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One page of jobs ({@code GET /v1/jobs}, {@code GET /v1/batches/{id}/jobs}); {@code nextCursor}
 * is absent on the last page. A cursor is opaque and works only for the tenant it was given to.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobPage(List<JobView> jobs, String nextCursor) {}
