package dev.keep.api.audit;

import dev.keep.api.http.ApiRequest;
import dev.keep.api.http.HttpApiResponse;
import dev.keep.api.http.ProblemException;
import dev.keep.api.http.ProblemType;
import dev.keep.api.jobs.Cursor;
import dev.keep.api.jobs.JobsApi;
import dev.keep.schema.api.AttestationView;
import dev.keep.schema.api.AuditPage;
import dev.keep.schema.api.AuditRecordView;
import dev.keep.schema.audit.SignedReceipt;
import dev.keep.schema.encoding.Echo;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.tables.AuditAttributes;
import dev.keep.schema.tables.ReceiptAttributes;
import dev.keep.schema.tables.SortableInstant;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The auditor's routes (issue 19), all read-only and all on the caller's own partition of an index:
 *
 * <ul>
 *   <li>{@code GET /v1/audit}: the tenant's audit records newest first, each with the enclave's
 *       receipt, by tenant or by key, optionally by decision and time;
 *   <li>{@code GET /v1/audit/export}: the export {@code keep audit verify} checks, in JSON Lines:
 *       the attestation document of every boot with a receipt in the range, then the receipts in
 *       chain order, then the checkpoints;
 *   <li>{@code GET /v1/attestations/{bootId}}: one boot's archived document, for a tenant that has
 *       receipts from that boot (another tenant gets 404).
 * </ul>
 *
 * <p><b>The export comes in slices.</b> A Java Lambda behind API Gateway answers with one buffered
 * body (6 MB at most), so the export is served as consecutive slices of one JSON Lines stream, at
 * most {@code sliceLines} lines each (2,000 by default): an answer with a {@code Keep-Next-Cursor} header
 * has more, fetched with {@code cursor=} and the same {@code from}/{@code to}; the slices
 * concatenated are the export. Memory on both sides is one slice, whatever the range. The receipts
 * and checkpoints are passed through as stored, unparsed, so the verifier sees what the tables
 * hold.
 */
public final class AuditApi {
  public static final int DEFAULT_PAGE = 50;
  public static final int MAX_PAGE = 200;
  public static final String NEXT_CURSOR_HEADER = "keep-next-cursor";
  private static final Pattern BOOT_ID = Pattern.compile("[0-9a-f]{64}");
  private static final List<String> DECISIONS = List.of("SIGNED", "REJECTED", "EVALUATED", "FAILED");
  private static final Set<String> BY_TENANT_KEY =
      Set.of(AuditAttributes.JOB_ID, AuditAttributes.TENANT_ID, AuditAttributes.RECORDED_AT);
  private static final Set<String> BY_KEY_KEY =
      Set.of(AuditAttributes.JOB_ID, AuditAttributes.KEY_ID, AuditAttributes.RECORDED_AT);
  private static final Set<String> RECEIPTS_KEY =
      Set.of(ReceiptAttributes.CHAIN, ReceiptAttributes.SEQ, ReceiptAttributes.TENANT_ID, ReceiptAttributes.ORDER);
  private static final Set<String> CHECKPOINTS_KEY =
      Set.of(ReceiptAttributes.CHAIN, ReceiptAttributes.SEQ, ReceiptAttributes.TENANT_ID, ReceiptAttributes.RECORDED_AT);

  /** The tables the auditor's routes read. */
  public record Tables(String audit, String receipts, String checkpoints, String attestations) {}

  private final DynamoDbClient dynamo;
  private final Tables tables;
  private final int sliceLines;

  public AuditApi(DynamoDbClient dynamo, Tables tables, int sliceLines) {
    this.dynamo = dynamo;
    this.tables = tables;
    this.sliceLines = sliceLines;
  }

  /** {@code GET /v1/audit?keyId=&decision=&from=&to=&limit=&cursor=}. */
  public HttpApiResponse list(ApiRequest request) {
    String tenantId = request.tenant().tenantId();
    Optional<String> keyId = request.param("keyId").map(k -> {
      if (k.isEmpty() || k.length() > 128) {
        throw ProblemException.field(ProblemType.INVALID, "query.keyId", "must be 1 to 128 characters");
      }
      return k;
    });
    Optional<String> decision = request.param("decision").map(d -> {
      if (!DECISIONS.contains(d)) {
        throw ProblemException.field(ProblemType.INVALID, "query.decision", "must be one of " + DECISIONS + ", got '"
            + Echo.of(d) + "'");
      }
      return d;
    });
    Range range = Range.of(request);
    int limit = limit(request.param("limit"));
    String listing = keyId.isPresent() ? "audit-by-key" : "audit";
    Map<String, AttributeValue> start = request.param("cursor")
        .map(c -> Cursor.decode(c, tenantId, listing, keyId.isPresent() ? BY_KEY_KEY : BY_TENANT_KEY))
        .map(HashMap::new)
        .map(k -> {
          // Always the caller's own partition, whatever the cursor says.
          keyId.ifPresentOrElse(id -> k.put(AuditAttributes.KEY_ID, AttributeValue.fromS(id)),
              () -> k.put(AuditAttributes.TENANT_ID, AttributeValue.fromS(tenantId)));
          return (Map<String, AttributeValue>) k;
        })
        .orElse(null);
    Map<String, String> names = new HashMap<>();
    Map<String, AttributeValue> values = new HashMap<>();
    String partition = keyId.isPresent() ? AuditAttributes.KEY_ID : AuditAttributes.TENANT_ID;
    names.put("#p", partition);
    values.put(":p", AttributeValue.fromS(keyId.orElse(tenantId)));
    String condition = "#p = :p" + range.condition("#r", AuditAttributes.RECORDED_AT, names, values);
    List<String> filters = new ArrayList<>();
    if (keyId.isPresent()) {
      // A key is global; only the caller's own records of it are listed (another tenant's key
      // lists nothing, as a key that does not exist).
      names.put("#t", AuditAttributes.TENANT_ID);
      values.put(":t", AttributeValue.fromS(tenantId));
      filters.add("#t = :t");
    }
    decision.ifPresent(d -> {
      names.put("#d", AuditAttributes.DECISION);
      values.put(":d", AttributeValue.fromS(d));
      filters.add("#d = :d");
    });
    QueryRequest.Builder query = QueryRequest.builder().tableName(tables.audit())
        .indexName(keyId.isPresent() ? "byKey" : "byTenant").keyConditionExpression(condition)
        .expressionAttributeNames(names).expressionAttributeValues(values).scanIndexForward(false).limit(limit)
        .exclusiveStartKey(start);
    if (!filters.isEmpty()) {
      query.filterExpression(String.join(" AND ", filters));
    }
    QueryResponse page = dynamo.query(query.build());
    List<AuditRecordView> records = page.items().stream().map(AuditApi::view).toList();
    String next = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
        ? Cursor.encode(tenantId, listing, page.lastEvaluatedKey()) : null;
    return HttpApiResponse.json(200, new AuditPage(records, next));
  }

  private static AuditRecordView view(Map<String, AttributeValue> item) {
    SignedReceipt receipt = null;
    AttributeValue r = item.get(ReceiptAttributes.RECEIPT);
    if (r != null) {
      try {
        receipt = Json.MAPPER.readValue(r.s(), SignedReceipt.class);
      } catch (IOException | IllegalArgumentException e) {
        throw new IllegalStateException("job " + item.get(AuditAttributes.JOB_ID).s() + ": its stored receipt is not one: "
            + e.getMessage(), e);
      }
    }
    return new AuditRecordView(s(item, AuditAttributes.JOB_ID), s(item, AuditAttributes.KEY_ID),
        s(item, AuditAttributes.KIND), s(item, AuditAttributes.DECISION), s(item, AuditAttributes.REASON),
        Instant.parse(s(item, AuditAttributes.RECORDED_AT)).toString(),
        item.containsKey(AuditAttributes.ATTEMPTS) ? Integer.parseInt(item.get(AuditAttributes.ATTEMPTS).n()) : 0,
        s(item, AuditAttributes.REQUEST_DIGEST), s(item, AuditAttributes.RESULT_DIGEST), receipt);
  }

  /** {@code GET /v1/attestations/{bootId}}: only to a tenant with receipts from that boot. */
  public HttpApiResponse attestation(ApiRequest request) {
    String bootId = request.pathId();
    if (!BOOT_ID.matcher(bootId).matches() || !hasChain(request.tenant().tenantId(), bootId)) {
      throw new ProblemException(ProblemType.NOT_FOUND, "no attestation document for boot " + Echo.of(bootId));
    }
    Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(tables.attestations())
        .key(Map.of(ReceiptAttributes.BOOT_ID, AttributeValue.fromS(bootId)))).item();
    if (item == null || item.isEmpty()) {
      throw new ProblemException(ProblemType.NOT_FOUND, "no attestation document for boot " + bootId);
    }
    return HttpApiResponse.json(200, new AttestationView(bootId, s(item, ReceiptAttributes.MODE),
        s(item, ReceiptAttributes.AUDIT_KEY), s(item, ReceiptAttributes.DOCUMENT),
        Instant.parse(s(item, ReceiptAttributes.RECORDED_AT)).toString()));
  }

  private boolean hasChain(String tenantId, String bootId) {
    return !dynamo.query(b -> b.tableName(tables.receipts()).keyConditionExpression("#c = :c")
        .expressionAttributeNames(Map.of("#c", ReceiptAttributes.CHAIN))
        .expressionAttributeValues(Map.of(":c", AttributeValue.fromS(ReceiptAttributes.chain(tenantId, bootId))))
        .limit(1)).items().isEmpty();
  }

  /** {@code GET /v1/audit/export?from=&to=&cursor=}: one slice of the JSON Lines export. */
  public HttpApiResponse export(ApiRequest request) {
    String tenantId = request.tenant().tenantId();
    Range range = Range.of(request);
    String receiptsListing = "audit-export/receipts/" + range;
    String checkpointsListing = "audit-export/checkpoints/" + range;
    String checkpointsStart = "audit-export/checkpoints-start/" + range;
    StringBuilder out = new StringBuilder();
    int[] lines = {0};
    Optional<String> cursor = request.param("cursor");
    Map<String, AttributeValue> receiptsFrom = null;
    Map<String, AttributeValue> checkpointsFrom = null;
    boolean receiptsDone = false;
    if (cursor.isEmpty()) {
      attestations(tenantId, range, out, lines);
    } else {
      // The cursor says which part it continues; it works only with the range it was given for.
      String c = cursor.get();
      Optional<Map<String, AttributeValue>> r = tryDecode(c, tenantId, receiptsListing, RECEIPTS_KEY);
      Optional<Map<String, AttributeValue>> k = r.isPresent() ? Optional.empty()
          : tryDecode(c, tenantId, checkpointsListing, CHECKPOINTS_KEY);
      if (r.isPresent()) {
        receiptsFrom = r.get();
      } else if (k.isPresent()) {
        checkpointsFrom = k.get();
        receiptsDone = true;
      } else {
        Cursor.decode(c, tenantId, checkpointsStart, Set.of()); // throws when it is not this either
        receiptsDone = true;
      }
    }
    if (!receiptsDone) {
      Map<String, AttributeValue> next = slice(tables.receipts(), ReceiptAttributes.ORDER, tenantId, range, receiptsFrom,
          "receipt", out, lines);
      if (next != null) {
        return slice(out, Cursor.encode(tenantId, receiptsListing, next));
      }
      if (lines[0] >= sliceLines) {
        return slice(out, Cursor.encode(tenantId, checkpointsStart, Map.of()));
      }
    }
    Map<String, AttributeValue> next = slice(tables.checkpoints(), ReceiptAttributes.RECORDED_AT, tenantId, range,
        checkpointsFrom, "checkpoint", out, lines);
    return slice(out, next == null ? null : Cursor.encode(tenantId, checkpointsListing, next));
  }

  private static Optional<Map<String, AttributeValue>> tryDecode(String cursor, String tenantId, String listing,
      Set<String> attributes) {
    try {
      return Optional.of(Cursor.decode(cursor, tenantId, listing, attributes));
    } catch (ProblemException e) {
      return Optional.empty();
    }
  }

  private static HttpApiResponse slice(StringBuilder body, String next) {
    Map<String, String> headers = new HashMap<>(Map.of("content-type", "application/x-ndjson", "cache-control", "no-store"));
    if (next != null) {
      headers.put(NEXT_CURSOR_HEADER, next);
    }
    return new HttpApiResponse(200, Map.copyOf(headers), body.toString(), false);
  }

  /**
   * The attestation document of every boot with a receipt of the tenant in the range: one pass over
   * the range's receipts reading only their boot, then one read per boot.
   */
  private void attestations(String tenantId, Range range, StringBuilder out, int[] lines) {
    Set<String> boots = new LinkedHashSet<>();
    Map<String, AttributeValue> start = null;
    do {
      QueryResponse page = dynamo.query(receiptsQuery(tables.receipts(), ReceiptAttributes.ORDER, tenantId, range, start,
          true).build());
      page.items().forEach(item -> boots.add(item.get(ReceiptAttributes.BOOT_ID).s()));
      start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
    } while (start != null);
    for (String bootId : boots) {
      Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(tables.attestations())
          .key(Map.of(ReceiptAttributes.BOOT_ID, AttributeValue.fromS(bootId)))).item();
      if (item == null || item.isEmpty()) {
        // Not archived: the verifier names the first receipt of this boot; nothing is made up here.
        continue;
      }
      Map<String, Object> line = new java.util.LinkedHashMap<>();
      line.put("type", "attestation");
      line.put("bootId", bootId);
      line.put("document", s(item, ReceiptAttributes.DOCUMENT));
      line.put("auditKey", s(item, ReceiptAttributes.AUDIT_KEY));
      line.put("policies", List.of());
      out.append(Json.write(line)).append('\n');
      lines[0]++;
    }
  }

  /** The tenant's items of {@code table}'s {@code byTenant} index in the range, oldest first; {@code bootOnly}: only their boot. */
  private static QueryRequest.Builder receiptsQuery(String table, String sortKey, String tenantId, Range range,
      Map<String, AttributeValue> start, boolean bootOnly) {
    Map<String, String> names = new HashMap<>(Map.of("#t", ReceiptAttributes.TENANT_ID));
    Map<String, AttributeValue> values = new HashMap<>(Map.of(":t", AttributeValue.fromS(tenantId)));
    String condition = "#t = :t" + range.condition("#o", sortKey, names, values);
    QueryRequest.Builder query = QueryRequest.builder().tableName(table).indexName("byTenant");
    if (bootOnly) {
      names.put("#b", ReceiptAttributes.BOOT_ID);
      query.projectionExpression("#b");
    }
    return query.keyConditionExpression(condition).expressionAttributeNames(names).expressionAttributeValues(values)
        .scanIndexForward(true).exclusiveStartKey(start);
  }

  /**
   * Appends the stored signed items of one part, oldest first, until the slice is full. Returns
   * where the part goes on when the slice filled before it ended, else null.
   */
  private Map<String, AttributeValue> slice(String table, String sortKey, String tenantId, Range range,
      Map<String, AttributeValue> start, String type, StringBuilder out, int[] lines) {
    Map<String, AttributeValue> from = start;
    while (lines[0] < sliceLines) {
      QueryResponse page = dynamo.query(receiptsQuery(table, sortKey, tenantId, range, from, false)
          .limit(sliceLines - lines[0]).build());
      for (Map<String, AttributeValue> item : page.items()) {
        String signed = s(item, ReceiptAttributes.SIGNED);
        // {"receipt":…,"signature":…} becomes {"type":"receipt","receipt":…,"signature":…}.
        out.append("{\"type\":\"").append(type).append("\",").append(signed, 1, signed.length()).append('\n');
        lines[0]++;
      }
      from = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
      if (from == null) {
        return null;
      }
    }
    return from;
  }

  private static String s(Map<String, AttributeValue> item, String name) {
    AttributeValue v = item.get(name);
    return v == null ? null : v.s();
  }

  private static int limit(Optional<String> value) {
    if (value.isEmpty()) {
      return DEFAULT_PAGE;
    }
    try {
      int limit = Integer.parseInt(value.get());
      if (limit >= 1 && limit <= MAX_PAGE) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ProblemException.field(ProblemType.INVALID, "query.limit", "must be an integer from 1 to " + MAX_PAGE);
  }

  /** {@code from} and {@code to}, both optional and inclusive, as sortable times. */
  record Range(Optional<Instant> from, Optional<Instant> to) {
    static Range of(ApiRequest request) {
      Optional<Instant> from = instant(request.param("from"), "query.from");
      Optional<Instant> to = instant(request.param("to"), "query.to");
      if (from.isPresent() && to.isPresent() && to.get().isBefore(from.get())) {
        throw ProblemException.field(ProblemType.INVALID, "query.to", "must not be before query.from");
      }
      return new Range(from, to);
    }

    /**
     * The sort key condition ({@code " AND ..."} or nothing) on {@code name}. A receipt's sort key
     * is its time followed by its boot and seq, so {@code to} is taken up to the end of that
     * instant ({@code "~"} sorts after every character those use).
     */
    String condition(String placeholder, String name, Map<String, String> names, Map<String, AttributeValue> values) {
      if (from.isEmpty() && to.isEmpty()) {
        return "";
      }
      names.put(placeholder, name);
      String lo = from.map(SortableInstant::of).orElse(null);
      String hi = to.map(t -> SortableInstant.of(t) + "~").orElse(null);
      if (lo != null) {
        values.put(":lo", AttributeValue.fromS(lo));
      }
      if (hi != null) {
        values.put(":hi", AttributeValue.fromS(hi));
      }
      return lo != null && hi != null ? " AND " + placeholder + " BETWEEN :lo AND :hi"
          : lo != null ? " AND " + placeholder + " >= :lo" : " AND " + placeholder + " <= :hi";
    }

    @Override
    public String toString() {
      return from.map(Instant::toString).orElse("") + "/" + to.map(Instant::toString).orElse("");
    }

    private static Optional<Instant> instant(Optional<String> value, String field) {
      return value.map(v -> {
        try {
          return Instant.parse(v);
        } catch (DateTimeParseException e) {
          throw ProblemException.field(ProblemType.INVALID, field, "must be an ISO-8601 instant such as"
              + " 2026-12-02T12:00:00Z, got '" + Echo.of(v) + "'");
        }
      });
    }
  }
}
