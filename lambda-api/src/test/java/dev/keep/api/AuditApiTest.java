package dev.keep.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.api.auth.TenantAuthenticator;
import dev.keep.schema.audit.Checkpoint;
import dev.keep.schema.audit.ExportLine;
import dev.keep.schema.audit.Receipt;
import dev.keep.schema.audit.SignedReceipt;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.tables.AuditAttributes;
import dev.keep.schema.tables.ReceiptAttributes;
import dev.keep.schema.tables.SortableInstant;
import dev.keep.schema.tables.Tables;
import dev.keep.worker.audit.ChainItems;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The auditor's routes (issue 19) on tables written as the worker writes them: an auditor's key
 * reads and is refused everything else, the listing filters on indexes, the export comes in slices
 * in the documented order, and another tenant sees none of it. Signatures here are placeholders: the
 * API passes receipts through and never verifies them (the offline verifier does).
 */
class AuditApiTest {
  private static final String SUBMITTER = "test-api-key-audit-submitter-0001";
  private static final String AUDITOR = "test-api-key-audit-auditor-00002";
  private static final String OTHER = "test-api-key-audit-other-tenant-3";
  private static final String BOOT_A = "a1".repeat(32);
  private static final String BOOT_B = "b2".repeat(32);
  private static final Instant T0 = Instant.parse("2026-12-02T12:00:00Z");
  private static ApiTestStack stack;
  private static ApiHandler api;
  /** The receipts stored for tenant "ta", in chain order per boot. */
  private static final List<SignedReceipt> STORED = new ArrayList<>();

  @BeforeAll
  static void start() {
    stack = new ApiTestStack("AuditApiTest");
    stack.exportSliceLines = 3;
    stack.tenant("ta", SUBMITTER);
    stack.dynamo.putItem(b -> b.tableName(stack.prefix + Tables.TENANTS.name()).item(Map.of(
        "apiKeyHash", AttributeValue.fromS(TenantAuthenticator.hash(AUDITOR)), "tenantId", AttributeValue.fromS("ta"),
        "role", AttributeValue.fromS("auditor"))));
    stack.tenant("tb", OTHER);
    api = new ApiHandler(ApiHandler.assemble(stack.dynamo, stack.sqs, stack.kms, stack.config(), Clock.systemUTC(),
        Duration.ZERO));
    // Tenant ta: 5 receipts in boot A (keys k-1 and k-2, one of them REJECTED), then 3 in boot B;
    // tenant tb: 2 in boot A. Checkpoints: ta's chain of boot A at 5.
    String prev = Receipt.GENESIS;
    for (int seq = 1; seq <= 5; seq++) {
      prev = store("ta", BOOT_A, seq, prev, seq == 3 ? "REJECTED" : "SIGNED", seq % 2 == 0 ? "k-2" : "k-1",
          T0.plusSeconds(seq));
    }
    checkpoint("ta", BOOT_A, 5, prev, T0.plusSeconds(6));
    prev = Receipt.GENESIS;
    for (int seq = 1; seq <= 3; seq++) {
      prev = store("ta", BOOT_B, seq, prev, "SIGNED", "k-1", T0.plusSeconds(100 + seq));
    }
    prev = Receipt.GENESIS;
    for (int seq = 1; seq <= 2; seq++) {
      prev = store("tb", BOOT_A, seq, prev, "SIGNED", "k-9", T0.plusSeconds(10 + seq));
    }
    for (String boot : List.of(BOOT_A, BOOT_B)) {
      stack.dynamo.putItem(b -> b.tableName(stack.prefix + Tables.ATTESTATIONS.name()).item(Map.of(
          ReceiptAttributes.BOOT_ID, AttributeValue.fromS(boot), ReceiptAttributes.DOCUMENT, AttributeValue.fromS("ZG9j"),
          ReceiptAttributes.AUDIT_KEY, AttributeValue.fromS("55".repeat(32)), ReceiptAttributes.MODE,
          AttributeValue.fromS("local"), ReceiptAttributes.RECORDED_AT, AttributeValue.fromS(SortableInstant.of(T0)))));
    }
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  /** A receipt and its job's audit record, as the worker's terminal transaction writes them. */
  private static String store(String tenant, String boot, long seq, String prev, String decision, String keyId,
      Instant time) {
    String jobId = tenant + "-" + boot.substring(0, 4) + "-" + seq;
    Receipt r = new Receipt(1, seq, prev, boot, time.toString(), jobId, tenant, keyId, "message", "33".repeat(32),
        decision, decision.equals("SIGNED") ? null : "max-tx", decision.equals("SIGNED") ? null : "over the limit", 1L,
        "44".repeat(32), decision.equals("SIGNED") ? "66".repeat(32) : null, "55".repeat(32));
    SignedReceipt signed = new SignedReceipt(r, "77".repeat(64));
    stack.dynamo.putItem(b -> b.tableName(stack.prefix + Tables.RECEIPTS.name()).item(ChainItems.receipt(signed, true)));
    Map<String, AttributeValue> audit = new HashMap<>(Map.of(
        AuditAttributes.JOB_ID, AttributeValue.fromS(jobId), AuditAttributes.TENANT_ID, AttributeValue.fromS(tenant),
        AuditAttributes.KEY_ID, AttributeValue.fromS(keyId), AuditAttributes.KIND, AttributeValue.fromS("message"),
        AuditAttributes.REQUEST_DIGEST, AttributeValue.fromS("88".repeat(32)),
        AuditAttributes.DECISION, AttributeValue.fromS(decision), AuditAttributes.RESULT_DIGEST,
        AttributeValue.fromS("99".repeat(32)), AuditAttributes.REASON, AttributeValue.fromS("signed"),
        AuditAttributes.RECORDED_AT, AttributeValue.fromS(SortableInstant.of(time)),
        AuditAttributes.ATTEMPTS, AttributeValue.fromN("1")));
    audit.put(ReceiptAttributes.RECEIPT, AttributeValue.fromS(Json.write(signed)));
    stack.dynamo.putItem(b -> b.tableName(stack.prefix + Tables.AUDIT.name()).item(audit));
    if (tenant.equals("ta")) {
      STORED.add(signed);
    }
    return r.link();
  }

  private static void checkpoint(String tenant, String boot, long seq, String head, Instant time) {
    Checkpoint.Signed signed = new Checkpoint.Signed(new Checkpoint(boot, tenant, seq, head, time.toString(),
        "55".repeat(32)), "12".repeat(64));
    stack.dynamo.putItem(b -> b.tableName(stack.prefix + Tables.CHECKPOINTS.name()).item(ChainItems.checkpoint(signed)));
  }

  private static JsonNode call(String method, String path, String query, String key, String body) throws Exception {
    return ApiTestStack.invoke(api, ApiTestStack.event(method, path, query, key, Map.of(), body));
  }

  private static JsonNode json(JsonNode response) throws Exception {
    return Json.MAPPER.readTree(response.get("body").asText());
  }

  @Test
  void anAuditorsKeyReads_andIsRefusedEveryChange() throws Exception {
    assertEquals(200, call("GET", "/v1/audit", "", AUDITOR, null).get("statusCode").asInt());
    assertEquals(200, call("GET", "/v1/jobs", "", AUDITOR, null).get("statusCode").asInt());
    String[][] changes = {
        {"POST", "/v1/jobs", "{\"keyId\":\"k-1\",\"kind\":\"message\",\"message\":\"00\"}"},
        {"POST", "/v1/policy/evaluate", "{\"keyId\":\"k-1\",\"kind\":\"message\",\"message\":\"00\"}"},
        {"POST", "/v1/batches", "{\"jobs\":[]}"},
        {"POST", "/v1/webhooks", "{\"url\":\"https://example.com/\",\"eventTypes\":[\"job.signed\"]}"},
        {"PATCH", "/v1/webhooks/wh_x", "{\"enabled\":false}"},
        {"DELETE", "/v1/webhooks/wh_x", null},
        {"POST", "/v1/webhooks/wh_x/rotate-secret", "{}"},
        {"POST", "/v1/webhooks/wh_x/test", "{}"},
        {"POST", "/v1/webhooks/wh_x/deliveries/d_x/resend", "{}"},
        {"POST", "/v1/webhooks/wh_x/replay", "{\"all\":true}"},
    };
    for (String[] change : changes) {
      JsonNode answer = call(change[0], change[1], "", AUDITOR, change[2]);
      assertEquals(403, answer.get("statusCode").asInt(), change[0] + " " + change[1]);
      assertEquals("/problems/forbidden", json(answer).get("type").asText());
      assertTrue(json(answer).get("detail").asText().contains("auditor"), json(answer).toString());
    }
  }

  @Test
  void theListingIsNewestFirst_withItsReceipts_filteredByKeyDecisionAndTime() throws Exception {
    JsonNode all = json(call("GET", "/v1/audit", "", AUDITOR, null));
    assertEquals(8, all.get("records").size());
    assertEquals("ta-b2b2-3", all.get("records").get(0).get("jobId").asText());
    JsonNode first = all.get("records").get(0).get("receipt");
    assertEquals(BOOT_B, first.get("receipt").get("bootId").asText());
    assertEquals(3, first.get("receipt").get("seq").asInt());
    assertEquals("77".repeat(64), first.get("signature").asText());

    JsonNode rejected = json(call("GET", "/v1/audit", "decision=REJECTED", AUDITOR, null));
    assertEquals(List.of("ta-a1a1-3"), ids(rejected));
    JsonNode byKey = json(call("GET", "/v1/audit", "keyId=k-2", AUDITOR, null));
    assertEquals(List.of("ta-a1a1-4", "ta-a1a1-2"), ids(byKey));
    JsonNode window = json(call("GET", "/v1/audit", "from=2026-12-02T12:00:02Z&to=2026-12-02T12:00:04Z", AUDITOR, null));
    assertEquals(List.of("ta-a1a1-4", "ta-a1a1-3", "ta-a1a1-2"), ids(window));

    // Pages of 3 follow each other without a gap or a repeat.
    List<String> paged = new ArrayList<>();
    String cursor = null;
    do {
      JsonNode page = json(call("GET", "/v1/audit", "limit=3" + (cursor == null ? "" : "&cursor=" + cursor), AUDITOR,
          null));
      paged.addAll(ids(page));
      cursor = page.has("nextCursor") ? page.get("nextCursor").asText() : null;
    } while (cursor != null);
    assertEquals(ids(all), paged);
  }

  @Test
  void badFiltersAreNamed() throws Exception {
    JsonNode decision = call("GET", "/v1/audit", "decision=MAYBE", AUDITOR, null);
    assertEquals(422, decision.get("statusCode").asInt());
    assertEquals("query.decision", json(decision).get("errors").get(0).get("field").asText());
    JsonNode time = call("GET", "/v1/audit", "from=yesterday", AUDITOR, null);
    assertEquals("query.from", json(time).get("errors").get(0).get("field").asText());
    JsonNode order = call("GET", "/v1/audit/export", "from=2026-12-02T13:00:00Z&to=2026-12-02T12:00:00Z", AUDITOR, null);
    assertEquals("query.to", json(order).get("errors").get(0).get("field").asText());
    assertEquals(422, call("GET", "/v1/audit", "limit=0", AUDITOR, null).get("statusCode").asInt());
  }

  @Test
  void theExportHasAttestationsFirst_thenEachChainInOrder_thenCheckpoints() throws Exception {
    List<ExportLine> lines = export("");
    assertEquals(List.of("attestation", "attestation"), lines.subList(0, 2).stream().map(AuditApiTest::type).toList());
    List<SignedReceipt> receipts = lines.stream().filter(l -> l instanceof ExportLine.ReceiptLine)
        .map(l -> new SignedReceipt(((ExportLine.ReceiptLine) l).receipt(), ((ExportLine.ReceiptLine) l).signature()))
        .toList();
    assertEquals(STORED, receipts, "every receipt of the tenant, as stored, in chain order");
    assertEquals("checkpoint", type(lines.getLast()));
    assertEquals(1 + 2 + 8, lines.size());
  }

  @Test
  void theExportComesInSlicesOfThree_thatJoinedAreTheWholeExport() throws Exception {
    List<ExportLine> whole = export("");
    assertEquals(11, whole.size(), "4 slices of at most 3 lines, across the parts' borders");
    // A range: only its receipts and checkpoints, and the boots they came from.
    List<ExportLine> ranged = export("from=2026-12-02T12:01:00Z");
    assertEquals(List.of("attestation", "receipt", "receipt", "receipt"), ranged.stream().map(AuditApiTest::type).toList());
    assertEquals(BOOT_B, ((ExportLine.Attestation) ranged.get(0)).bootId());
    // A cursor made for one range does not continue another.
    JsonNode first = call("GET", "/v1/audit/export", "", AUDITOR, null);
    String cursor = first.get("headers").get(dev.keep.api.audit.AuditApi.NEXT_CURSOR_HEADER).asText();
    assertEquals(400, call("GET", "/v1/audit/export", "from=2026-12-02T12:01:00Z&cursor=" + cursor, AUDITOR, null)
        .get("statusCode").asInt());
  }

  @Test
  void anotherTenantSeesNoneOfIt() throws Exception {
    JsonNode theirs = json(call("GET", "/v1/audit", "", OTHER, null));
    assertEquals(List.of("tb-a1a1-2", "tb-a1a1-1"), ids(theirs));
    assertEquals(List.of(), ids(json(call("GET", "/v1/audit", "keyId=k-1", OTHER, null))), "ta's key lists nothing");
    List<ExportLine> export = exportAs(OTHER, "");
    assertEquals(3, export.size(), "tb's boot, its two receipts, no checkpoint");
    assertEquals(404, call("GET", "/v1/attestations/" + BOOT_B, "", OTHER, null).get("statusCode").asInt(),
        "a boot tb has no receipt from");
    assertEquals(200, call("GET", "/v1/attestations/" + BOOT_A, "", OTHER, null).get("statusCode").asInt());
    JsonNode doc = json(call("GET", "/v1/attestations/" + BOOT_B, "", AUDITOR, null));
    assertEquals("ZG9j", doc.get("document").asText());
    assertEquals(404, call("GET", "/v1/attestations/nonsense", "", AUDITOR, null).get("statusCode").asInt());
    // A cursor given to ta does not work for tb.
    String cursor = json(call("GET", "/v1/audit", "limit=1", AUDITOR, null)).get("nextCursor").asText();
    assertEquals(400, call("GET", "/v1/audit", "cursor=" + cursor, OTHER, null).get("statusCode").asInt());
  }

  private List<ExportLine> export(String query) throws Exception {
    return exportAs(AUDITOR, query);
  }

  /** Every slice of the export, following the cursor header. */
  private static List<ExportLine> exportAs(String key, String query) throws Exception {
    List<ExportLine> lines = new ArrayList<>();
    String cursor = null;
    do {
      String q = query + (cursor == null ? "" : (query.isEmpty() ? "" : "&") + "cursor=" + cursor);
      JsonNode answer = call("GET", "/v1/audit/export", q, key, null);
      assertEquals(200, answer.get("statusCode").asInt(), answer.toString());
      assertEquals("application/x-ndjson", answer.get("headers").get("content-type").asText());
      for (String line : answer.get("body").asText().split("\n")) {
        if (!line.isEmpty()) {
          lines.add(Json.MAPPER.readValue(line, ExportLine.class));
        }
      }
      JsonNode next = answer.get("headers").get(dev.keep.api.audit.AuditApi.NEXT_CURSOR_HEADER);
      cursor = next == null ? null : next.asText();
    } while (cursor != null);
    return lines;
  }

  private static String type(ExportLine line) {
    return switch (line) {
      case ExportLine.Attestation a -> "attestation";
      case ExportLine.ReceiptLine r -> "receipt";
      case ExportLine.CheckpointLine c -> "checkpoint";
    };
  }

  private static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.get("records").forEach(r -> ids.add(r.get("jobId").asText()));
    return ids;
  }
}
