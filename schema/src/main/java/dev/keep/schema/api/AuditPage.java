package dev.keep.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** One page of audit records, newest first ({@code GET /v1/audit}); {@code nextCursor} is absent on the last. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditPage(List<AuditRecordView> records, String nextCursor) {}
