package dev.keep.schema.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.schema.encoding.ContractSchema;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.encoding.SchemaViolation;
import dev.keep.schema.encoding.Utf8;

/**
 * Reads a job body once, at the boundary, into a {@link JobRequest}: the published schema, Keep's
 * JSON rules ({@link ContractSchema}), the rules a JSON Schema cannot state (lengths in UTF-8
 * bytes), and the invariants of the enclave request the job becomes. The API, the CLI and the
 * worker all read job bodies here, so none of them accepts what the enclave would refuse as
 * malformed.
 */
public final class JobRequestDecoder {
  /** A Nostr event's content, in bytes of UTF-8; the enclave refuses more (NIP-01 sets no limit). */
  public static final int MAX_EVENT_CONTENT_BYTES = 64 * 1024;

  private JobRequestDecoder() {}

  /**
   * @throws SchemaViolation naming the field and the rule
   */
  public static JobRequest decode(String json) throws SchemaViolation {
    return bind(ContractSchema.JOB_REQUEST.parse(json));
  }

  /**
   * A job body already parsed (strictly, by {@link dev.keep.schema.encoding.Json#MAPPER}), for
   * example one item of a batch.
   *
   * @throws SchemaViolation naming the field and the rule
   */
  public static JobRequest decode(JsonNode node) throws SchemaViolation {
    ContractSchema.JOB_REQUEST.validate(node);
    return bind(node);
  }

  private static JobRequest bind(JsonNode node) throws SchemaViolation {
    JobRequest request;
    try {
      request = Json.MAPPER.treeToValue(node, JobRequest.class);
    } catch (JsonProcessingException e) {
      // The schema passed, so this is a binding the schema did not foresee; name what Jackson says.
      throw new SchemaViolation("", "body does not match the job request schema: " + e.getOriginalMessage());
    }
    if (request instanceof JobRequest.NostrEvent event) {
      checkContent(event.event().path("content").textValue());
    }
    try {
      // The enclave request's records check their own invariants; the job id here is a stand-in.
      request.toSignRequest("decode-check");
    } catch (IllegalArgumentException e) {
      throw violation(e.getMessage());
    }
    return request;
  }

  private static void checkContent(String content) throws SchemaViolation {
    long bytes;
    try {
      bytes = Utf8.length(content, "event.content");
    } catch (Utf8.MalformedException e) {
      throw new SchemaViolation("event.content", "has no UTF-8 form");
    }
    if (bytes > MAX_EVENT_CONTENT_BYTES) {
      throw new SchemaViolation("event.content",
          "longer than " + MAX_EVENT_CONTENT_BYTES + " bytes of UTF-8 (" + bytes + ")");
    }
  }

  /** The records' messages read "field: rule". */
  private static SchemaViolation violation(String message) {
    int colon = message == null ? -1 : message.indexOf(": ");
    return colon > 0
        ? new SchemaViolation(message.substring(0, colon), message.substring(colon + 2))
        : new SchemaViolation("", String.valueOf(message));
  }
}
