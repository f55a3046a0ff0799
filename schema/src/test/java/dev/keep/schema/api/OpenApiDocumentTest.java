package dev.keep.schema.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keep.schema.audit.Checkpoint;
import dev.keep.schema.audit.ExportLine;
import dev.keep.schema.audit.Receipt;
import dev.keep.schema.audit.SignedReceipt;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.protocol.EnclaveResponse.PolicyRef;
import dev.keep.schema.protocol.EnclaveResponse.PolicyTrace;
import dev.keep.schema.protocol.PsbtReport;
import dev.keep.schema.webhook.EventType;
import dev.keep.schema.webhook.WebhookEvent;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document ({@code keep/openapi.yaml}) against the API's real answers: the bodies below
 * are copied from {@code lambda-api/docs/api.md} (runs of {@code ./keep local up} on 2026-11-24
 * and 2026-12-02), and the records of {@code dev.keep.schema.api} are serialised as the API
 * serialises them ({@link Json#write}). An answer the document does not describe must fail, so a
 * field added to a record, a status added to a route or a problem sent as plain JSON shows here.
 */
class OpenApiDocumentTest {
  private static final String JSON = "application/json";
  private static final String PROBLEM = "application/problem+json";
  private static final String NDJSON = "application/x-ndjson";

  /** The slugs of lambda-api's {@code ProblemType}, which this module cannot see. */
  private static final List<String> SLUGS = List.of("malformed-request", "unauthenticated", "forbidden", "not-found",
      "method-not-allowed", "idempotency-key-reused", "idempotency-request-in-progress", "conflict", "payload-too-large",
      "unsupported-media-type", "invalid-request", "rate-limited", "internal");

  /** api.md line 157. */
  private static final String UNSUPPORTED_MEDIA_TYPE = """
      {"type":"/problems/unsupported-media-type","title":"The body must be application/json","status":415,"detail":"Content-Type 'application/x-www-form-urlencoded' is not application/json (UTF-8); send JSON with Content-Type: application/json","instance":"945b762e-3050-4767-a03f-c4a2d78670ac","code":"UNSUPPORTED_MEDIA_TYPE"}""";

  /** api.md line 160. */
  private static final String INVALID_MESSAGE = """
      {"type":"/problems/invalid-request","title":"The request breaks a rule","status":422,"detail":"message: must be an even number of hex digits","instance":"dff86486-16ab-4bfc-a845-6249675919c5","code":"INVALID_REQUEST","errors":[{"field":"message","message":"must be an even number of hex digits"}]}""";

  /** api.md line 163. */
  private static final String MALFORMED_DUPLICATE_KEY = """
      {"type":"/problems/malformed-request","title":"The request is malformed","status":400,"detail":"keyId: body is not valid JSON: duplicate key 'keyId' at line 1, column 24; a key may appear once per object","instance":"7c3b3128-67ec-4c02-8fa6-f118aa9e9fb0","code":"INVALID_REQUEST","errors":[{"field":"keyId","message":"body is not valid JSON: duplicate key 'keyId' at line 1, column 24; a key may appear once per object"}]}""";

  /** api.md line 172. */
  private static final String METHOD_NOT_ALLOWED = """
      {"type":"/problems/method-not-allowed","title":"Method not allowed","status":405,"detail":"DELETE is not allowed on this route; use GET, POST","instance":"9d15edbd-d0e0-4651-9978-e2f333584018","code":"METHOD_NOT_ALLOWED"}""";

  /** api.md line 175. */
  private static final String INVALID_LIMIT = """
      {"type":"/problems/invalid-request","title":"The request breaks a rule","status":422,"detail":"query.limit: must be an integer from 1 to 100","instance":"f6232a3a-ca96-4f0d-8220-0a420512417f","code":"INVALID_REQUEST","errors":[{"field":"query.limit","message":"must be an integer from 1 to 100"}]}""";

  /** api.md line 223. */
  private static final String IDEMPOTENCY_KEY_REUSED = """
      {"type":"/problems/idempotency-key-reused","title":"The idempotency key was used for another request","status":409,"detail":"Idempotency-Key: was first used at 2026-12-02T12:57:39.995102790Z for a different request (POST /v1/jobs with another body); use a new key for a new request","instance":"5c939180-b233-4151-866b-c5100f7395e5","code":"IDEMPOTENCY_KEY_REUSED","errors":[{"field":"Idempotency-Key","message":"was first used at 2026-12-02T12:57:39.995102790Z for a different request (POST /v1/jobs with another body); use a new key for a new request"}]}""";

  /** api.md line 226. */
  private static final String BATCH_ACCEPTED = """
      {"batchId":"f8576dd3-3a5b-4e69-85f9-c7d44af76d22","status":"ACCEPTED","items":[{"index":0,"reference":"payout-1","jobId":"190f8900-cbb5-3c72-98b9-1776fe5cb064"},{"index":1,"reference":"payout-2","error":{"type":"/problems/invalid-request","title":"The request breaks a rule","status":422,"detail":"items[1].message: must be an even number of hex digits","instance":"4f0d7926-1c25-4a22-97f2-ec88d8950027","code":"INVALID_REQUEST","errors":[{"field":"items[1].message","message":"must be an even number of hex digits"}]}},{"index":2,"reference":"payout-3","jobId":"cc18ec84-c1b3-3732-b8ab-3eff626c981d"}]}""";

  /** api.md line 229. */
  private static final String BATCH_VIEW = """
      {"batchId":"f8576dd3-3a5b-4e69-85f9-c7d44af76d22","createdAt":"2026-12-02T12:57:40.417671587Z","total":2,"refused":1,"counts":{"QUEUED":0,"RUNNING":0,"SIGNED":2,"REJECTED":0,"FAILED":0},"done":true,"completedAt":"2026-12-02T12:57:40.705367458Z"}""";

  /** api.md line 232. */
  private static final String BATCH_JOBS_PAGE = """
      {"jobs":[{"jobId":"190f8900-cbb5-3c72-98b9-1776fe5cb064","status":"SIGNED","kind":"message","keyId":"local-key","createdAt":"2026-12-02T12:57:40.417671587Z","updatedAt":"2026-12-02T12:57:40.657472266Z","attempts":1,"result":{"type":"bip340","signature":"371ff4241307f440619d60fdef5edec50123590dae6eb7c8b7e507cdf6b114325743c27754ae4795455a4df432b9de9c39561a92723c194c70cb222c96063778","publicKey":"dc37b69a0b4dc217c20753434761c81be0cee85ca4508e371baa1c6b8393b7d9"},"batchId":"f8576dd3-3a5b-4e69-85f9-c7d44af76d22","batchIndex":0,"reference":"payout-1"}],"nextCursor":"eyJ2IjoxLCJ0IjoibG9jYWwiLCJsIjoiYmF0Y2g6Zjg1NzZkZDMtM2E1Yi00ZTY5LTg1ZjktYzdkNDRhZjc2ZDIyIiwiayI6eyJiYXRjaElkIjp7IlMiOiJmODU3NmRkMy0zYTViLTRlNjktODVmOS1jN2Q0NGFmNzZkMjIifSwiYmF0Y2hJbmRleCI6eyJOIjoiMCJ9LCJqb2JJZCI6eyJTIjoiMTkwZjg5MDAtY2JiNS0zYzcyLTk4YjktMTc3NmZlNWNiMDY0In19fQ"}""";

  /** api.md line 235. */
  private static final String JOBS_PAGE = """
      {"jobs":[{"jobId":"cc18ec84-c1b3-3732-b8ab-3eff626c981d","status":"SIGNED","kind":"message","keyId":"local-key","createdAt":"2026-12-02T12:57:40.417671587Z","updatedAt":"2026-12-02T12:57:40.705367458Z","attempts":1,"result":{"type":"bip340","signature":"43f7f7bc712435515a2aa51585e7808d95ac131532cf587f2675583142dde378a68b4a9dc26bea5c43436070e996b3b00111d69980e0cf667d6ac991e25c3ba2","publicKey":"dc37b69a0b4dc217c20753434761c81be0cee85ca4508e371baa1c6b8393b7d9"},"batchId":"f8576dd3-3a5b-4e69-85f9-c7d44af76d22","batchIndex":2,"reference":"payout-3"}],"nextCursor":"eyJ2IjoxLCJ0IjoibG9jYWwiLCJsIjoiam9icyIsImsiOnsiY3JlYXRlZEF0Ijp7IlMiOiIyMDI2LTEyLTAyVDEyOjU3OjQwLjQxNzY3MTU4N1oifSwidGVuYW50SWQiOnsiUyI6ImxvY2FsIn0sImpvYklkIjp7IlMiOiJjYzE4ZWM4NC1jMWIzLTM3MzItYjhhYi0zZWZmNjI2Yzk4MWQifX19"}""";

  /** api.md lines 267 to 274, wrapped as the page wraps it (whitespace between tokens). */
  private static final String POLICY_EVALUATED = """
      {"jobId":"bba8d18b-c8d6-4cf7-b2fc-5d30c9365e86","status":"EVALUATED","kind":"policy_evaluate","keyId":"local-key",
       "createdAt":"2026-11-24T18:54:43.780021046Z","updatedAt":"2026-11-24T18:54:43.974784379Z","attempts":1,
       "result":{"type":"policy_decision","allowed":true,"ruleId":"local-development-only",
        "reason":"allowed_kinds: message is one of message, nostr_event, digest, psbt","policyVersion":1,
        "policyHash":"87856b2d5ba158701cb11d8b6cc70e9250baa2c89524becad4569765968f615b",
        "approvalDigest":"12bea5aa3fff7801098a597bd7a4856e3acc21e0f56924b9d39fd501c12b950c",
        "trace":[{"ruleId":"local-development-only","type":"allowed_kinds","outcome":"allow",
         "detail":"allowed_kinds: message is one of message, nostr_event, digest, psbt"}]}}""";

  /** api.md line 65. */
  private static final String JOB_ACCEPTED = """
      {"jobId":"65bf69c3-309a-45aa-9ff4-2f76dbe02dac","status":"QUEUED"}""";

  // --- the document ---------------------------------------------------------------------------

  @Test
  void isOpenApi310WithTheDialectAndEveryRoute() {
    JsonNode doc = OpenApiDocument.tree();
    assertEquals("3.1.0", doc.path("openapi").asText());
    assertEquals("https://json-schema.org/draft/2020-12/schema", doc.path("jsonSchemaDialect").asText());
    assertFalse(doc.path("info").path("title").asText().isEmpty(), "info.title is required (OAS 3.1 §4.8.2)");
    assertFalse(doc.path("info").path("version").asText().isEmpty(), "info.version is required (OAS 3.1 §4.8.2)");
    Map<String, Set<String>> expected = new LinkedHashMap<>();
    expected.put("/v1/jobs", Set.of("get", "post"));
    expected.put("/v1/jobs/{id}", Set.of("get"));
    expected.put("/v1/jobs/{id}/deliveries", Set.of("get"));
    expected.put("/v1/policy/evaluate", Set.of("post"));
    expected.put("/v1/batches", Set.of("post"));
    expected.put("/v1/batches/{id}", Set.of("get"));
    expected.put("/v1/batches/{id}/jobs", Set.of("get"));
    expected.put("/v1/webhooks", Set.of("get", "post"));
    expected.put("/v1/webhooks/{id}", Set.of("get", "patch", "delete"));
    expected.put("/v1/webhooks/{id}/rotate-secret", Set.of("post"));
    expected.put("/v1/webhooks/{id}/test", Set.of("post"));
    expected.put("/v1/webhooks/{id}/deliveries", Set.of("get"));
    expected.put("/v1/webhooks/{id}/deliveries/{deliveryId}/resend", Set.of("post"));
    expected.put("/v1/webhooks/{id}/replay", Set.of("post"));
    expected.put("/v1/audit", Set.of("get"));
    expected.put("/v1/audit/export", Set.of("get"));
    expected.put("/v1/attestations/{bootId}", Set.of("get"));
    expected.put("/v1/openapi.json", Set.of("get"));
    Map<String, Set<String>> actual = new LinkedHashMap<>();
    Set<String> operationIds = new HashSet<>();
    doc.path("paths").properties().forEach(item -> {
      Set<String> methods = new HashSet<>();
      item.getValue().fieldNames().forEachRemaining(methods::add);
      actual.put(item.getKey(), methods);
      for (String method : methods) {
        JsonNode operation = item.getValue().get(method);
        String at = method.toUpperCase() + " " + item.getKey();
        assertTrue(operationIds.add(operation.path("operationId").asText()), at + ": operationId must be unique");
        assertFalse(operation.path("responses").isEmpty(), at + ": has no responses");
        for (String name : List.of("id", "deliveryId", "bootId")) {
          if (item.getKey().contains("{" + name + "}")) {
            assertTrue(parameters(doc, operation).stream().anyMatch(p -> p.path("in").asText().equals("path")
                && p.path("name").asText().equals(name) && p.path("required").asBoolean()),
                at + ": the path parameter " + name + " must be declared and required (OAS 3.1 §4.8.12.1)");
          }
        }
      }
    });
    assertEquals(expected, actual);
  }

  @Test
  void everyReferenceResolvesWithinTheDocument() {
    JsonNode doc = OpenApiDocument.tree();
    List<String> refs = new ArrayList<>();
    collectRefs(doc, refs);
    assertTrue(refs.size() > 50, "refs found: " + refs.size());
    for (String ref : refs) {
      assertTrue(ref.startsWith("#/"), ref + ": the served document must stand alone");
      assertFalse(doc.at(ref.substring(1)).isMissingNode(), ref + ": names nothing");
    }
  }

  @Test
  void theJobRequestIsTheShippedSchemaAndBatchItemsExtendIt() throws Exception {
    JsonNode shipped;
    try (InputStream in = OpenApiDocument.class.getResourceAsStream("/keep/schema/job-request.schema.json")) {
      shipped = Json.MAPPER.readTree(in);
    }
    JsonNode schemas = OpenApiDocument.tree().path("components").path("schemas");
    assertEquals(shipped, schemas.get("JobRequest"), "bundled as the file is (JSON Schema 2020-12 §9.3.1)");
    JsonNode item = schemas.get("BatchItem");
    assertFalse(item.has("$id"), "a second resource with the job request's $id would be ambiguous");
    assertEquals(shipped.get("allOf"), item.get("allOf"), "every rule of the job request");
    assertFalse(item.path("additionalProperties").asBoolean(true));
    Set<String> expected = new TreeSet<>();
    shipped.get("properties").fieldNames().forEachRemaining(expected::add);
    expected.add("reference");
    Set<String> actual = new TreeSet<>();
    item.get("properties").fieldNames().forEachRemaining(actual::add);
    assertEquals(expected, actual);

    // The batch of api.md (2026-12-02), one item of it refused by the job rules.
    String batch = """
        {"items":[{"reference":"payout-1","keyId":"local-key","kind":"message","message":"01"},\
        {"reference":"payout-2","keyId":"local-key","kind":"message","message":"zz"},\
        {"reference":"payout-3","keyId":"local-key","kind":"message","message":"03"}]}""";
    assertEquals(List.of("BatchRequest: body.items[1].message: does not match the regex pattern ^([0-9a-fA-F]{2})*$"),
        OpenApiDocument.validateSchema("BatchRequest", batch));
    assertEquals(List.of(), OpenApiDocument.validateSchema("BatchRequest", batch.replace("\"zz\"", "\"02\"")));
    assertEquals(List.of(), OpenApiDocument.validateSchema("JobRequest",
        "{\"keyId\":\"local-key\",\"kind\":\"message\",\"message\":\"68656c6c6f\"}"));
    assertFails(OpenApiDocument.validateSchema("BatchRequest", "{\"items\":[{\"keyId\":\"k\",\"kind\":\"message\",\"message\":\"00\",\"reference\":\"\"}]}"),
        "body.items[0].reference");
    assertFails(OpenApiDocument.validateSchema("BatchRequest", "{\"items\":[],\"dryRun\":true}"), "body.dryRun");
    assertFails(OpenApiDocument.validateSchema("JobRequest", "{\"keyId\":\"k\",\"kind\":\"message\",\"message\":\"00\",\"reference\":\"r\"}"),
        "body.reference");
  }

  @Test
  void everyProblemTypeIsDocumentedWithItsStatusTitleAndCode() {
    JsonNode doc = OpenApiDocument.tree();
    List<String> slugs = new ArrayList<>();
    List<String> types = new ArrayList<>();
    for (JsonNode problem : doc.path("x-problems")) {
      String slug = problem.path("slug").asText();
      slugs.add(slug);
      assertEquals("/problems/" + slug, problem.path("type").asText());
      assertFalse(problem.path("description").asText().isEmpty(), slug + ": description");
      JsonNode pinned = doc.at("/components/schemas/Problem." + slug + "/properties");
      assertEquals(problem.get("type"), pinned.at("/type/const"), slug + ": type");
      assertEquals(problem.get("title"), pinned.at("/title/const"), slug + ": title");
      assertEquals(problem.get("status"), pinned.at("/status/const"), slug + ": status");
      assertEquals(problem.get("code"), pinned.at("/code/const"), slug + ": code");
    }
    assertEquals(SLUGS, slugs);
    doc.at("/components/schemas/Problem/properties/type/enum").forEach(t -> types.add(t.asText()));
    assertEquals(SLUGS.stream().map(s -> "/problems/" + s).toList(), types);
    String served = OpenApiDocument.json();
    for (String slug : SLUGS) {
      assertTrue(served.contains(slug), slug + " is in the served document");
    }
  }

  @Test
  void errorsAreProblemJsonAndSuccessesJson() {
    JsonNode doc = OpenApiDocument.tree();
    doc.path("paths").properties().forEach(item -> item.getValue().properties().forEach(op ->
        op.getValue().path("responses").properties().forEach(r -> {
          JsonNode response = deref(doc, r.getValue());
          Set<String> media = new HashSet<>();
          response.path("content").fieldNames().forEachRemaining(media::add);
          String at = op.getKey() + " " + item.getKey() + " " + r.getKey();
          // 204 No Content has no body, so no content type (RFC 9110 §15.3.5); the audit export is
          // JSON Lines.
          String success = at.equals("get /v1/audit/export 200") ? NDJSON : JSON;
          assertEquals(r.getKey().equals("204") ? Set.of() : Set.of(r.getKey().startsWith("2") ? success : PROBLEM), media, at);
          assertTrue(response.path("headers").has("Cache-Control"), at + ": Cache-Control");
        })));
    JsonNode unlisted = deref(doc, doc.at("/x-keep-unlisted-methods/response"));
    assertTrue(unlisted.path("content").has(PROBLEM));
  }

  @Test
  void headersThatAnswersCarry() {
    JsonNode doc = OpenApiDocument.tree();
    JsonNode responses = doc.at("/paths/~1v1~1jobs/post/responses");
    assertTrue(deref(doc, responses.get("202")).path("headers").has("Idempotent-Replayed"));
    assertTrue(deref(doc, responses.get("409")).path("headers").has("Retry-After"));
    assertTrue(deref(doc, deref(doc, responses.get("429")).at("/headers/Retry-After")).path("required").asBoolean());
    assertEquals("Bearer", deref(doc, deref(doc, responses.get("401")).at("/headers/WWW-Authenticate")).at("/schema/const").asText());
    assertTrue(deref(doc, doc.at("/x-keep-unlisted-methods/response")).path("headers").has("Allow"));
    for (String post : List.of("/v1/jobs", "/v1/policy/evaluate", "/v1/batches", "/v1/webhooks",
        "/v1/webhooks/{id}/rotate-secret", "/v1/webhooks/{id}/test", "/v1/webhooks/{id}/deliveries/{deliveryId}/resend",
        "/v1/webhooks/{id}/replay")) {
      JsonNode operation = doc.path("paths").path(post).path("post");
      assertTrue(parameters(doc, operation).stream().anyMatch(p -> p.path("name").asText().equals("Idempotency-Key")
          && p.path("in").asText().equals("header")), post + " takes an Idempotency-Key");
      operation.path("responses").properties().forEach(r -> {
        if (r.getKey().startsWith("2")) {
          assertTrue(deref(doc, r.getValue()).path("headers").has("Idempotent-Replayed"), post + " " + r.getKey());
        }
      });
    }
    // AuditApi.NEXT_CURSOR_HEADER, present only when another slice follows.
    JsonNode next = deref(doc, doc.at("/paths/~1v1~1audit~1export/get/responses/200/headers/Keep-Next-Cursor"));
    assertEquals("string", next.at("/schema/type").asText());
    assertFalse(next.path("required").asBoolean(), "absent on the last slice");
  }

  /** KeepApi: an auditor's key is refused every POST, PATCH and DELETE with 403, and no GET. */
  @Test
  void everyChangeDocumentsForbiddenAndNoReadDoes() {
    JsonNode doc = OpenApiDocument.tree();
    List<String> changes = new ArrayList<>();
    doc.path("paths").properties().forEach(item -> item.getValue().properties().forEach(op -> {
      String at = op.getKey().toUpperCase() + " " + item.getKey();
      JsonNode forbidden = op.getValue().path("responses").path("403");
      if (op.getKey().equals("get")) {
        assertTrue(forbidden.isMissingNode(), at + ": every role may read");
      } else {
        changes.add(at);
        assertEquals("#/components/responses/Forbidden", forbidden.path("$ref").asText(), at);
      }
    }));
    assertEquals(10, changes.size(), changes.toString());
    assertEquals("#/components/schemas/Problem.forbidden",
        doc.at("/components/responses/Forbidden/content/application~1problem+json/schema/$ref").asText());
    String roles = doc.at("/components/securitySchemes/apiKey/description").asText();
    assertTrue(roles.contains("submitter") && roles.contains("auditor") && roles.contains("--role"), roles);
  }

  @Test
  void queryParametersCarryTheirConstraints() {
    JsonNode doc = OpenApiDocument.tree();
    for (String listing : List.of("/v1/jobs", "/v1/batches/{id}/jobs")) {
      List<JsonNode> params = parameters(doc, doc.path("paths").path(listing).path("get"));
      JsonNode limit = find(params, "limit").path("schema");
      assertEquals("integer", limit.path("type").asText());
      assertEquals(1, limit.path("minimum").asInt());
      assertEquals(100, limit.path("maximum").asInt());
      assertEquals(25, limit.path("default").asInt());
      assertEquals("string", find(params, "cursor").at("/schema/type").asText());
      JsonNode status = deref(doc, find(params, "status").path("schema"));
      List<String> statuses = new ArrayList<>();
      status.path("enum").forEach(s -> statuses.add(s.asText()));
      assertEquals(Arrays.stream(JobStatus.values()).map(Enum::name).toList(), statuses);
    }
    List<JsonNode> jobs = parameters(doc, doc.at("/paths/~1v1~1jobs/get"));
    for (String instant : List.of("createdAfter", "createdBefore")) {
      assertEquals("date-time", find(jobs, instant).at("/schema/format").asText());
    }
    Set<String> names = new TreeSet<>();
    jobs.forEach(p -> names.add(p.path("name").asText()));
    assertEquals(new TreeSet<>(List.of("keyId", "status", "batchId", "createdAfter", "createdBefore", "limit", "cursor")), names);

    // The webhook listings: KeepApi's query parameters of each route, and the same limit and cursor.
    Map<String, Set<String>> listings = Map.of(
        "/v1/webhooks", Set.of("limit", "cursor"),
        "/v1/webhooks/{id}/deliveries", Set.of("status", "limit", "cursor"),
        "/v1/jobs/{id}/deliveries", Set.of("limit", "cursor"));
    listings.forEach((listing, expected) -> {
      List<JsonNode> params = parameters(doc, doc.path("paths").path(listing).path("get"));
      Set<String> query = new TreeSet<>();
      params.stream().filter(p -> p.path("in").asText().equals("query")).forEach(p -> query.add(p.path("name").asText()));
      assertEquals(new TreeSet<>(expected), query, listing);
      assertEquals(100, find(params, "limit").at("/schema/maximum").asInt(), listing);
    });
    JsonNode deliveryStatus = deref(doc, find(parameters(doc, doc.at("/paths/~1v1~1webhooks~1{id}~1deliveries/get")), "status")
        .path("schema"));
    List<String> statuses = new ArrayList<>();
    deliveryStatus.path("enum").forEach(s -> statuses.add(s.asText()));
    // lambda-api's Delivery.Status, which this module cannot see.
    assertEquals(List.of("PENDING", "SUCCEEDED", "FAILED", "SKIPPED"), statuses);

    // The audit routes: KeepApi's query parameters of each, and AuditApi's limits.
    Map<String, Set<String>> audit = Map.of(
        "/v1/audit", Set.of("keyId", "decision", "from", "to", "limit", "cursor"),
        "/v1/audit/export", Set.of("from", "to", "cursor"),
        "/v1/attestations/{bootId}", Set.of());
    audit.forEach((route, expected) -> {
      List<JsonNode> params = parameters(doc, doc.path("paths").path(route).path("get"));
      Set<String> query = new TreeSet<>();
      params.stream().filter(p -> p.path("in").asText().equals("query")).forEach(p -> query.add(p.path("name").asText()));
      assertEquals(new TreeSet<>(expected), query, route);
      for (String instant : List.of("from", "to")) {
        if (expected.contains(instant)) {
          assertEquals("date-time", find(params, instant).at("/schema/format").asText(), route + " " + instant);
        }
      }
    });
    JsonNode auditLimit = find(parameters(doc, doc.at("/paths/~1v1~1audit/get")), "limit").path("schema");
    assertEquals(1, auditLimit.path("minimum").asInt());
    assertEquals(200, auditLimit.path("maximum").asInt());
    assertEquals(50, auditLimit.path("default").asInt());
    assertEquals(200, doc.at("/components/schemas/AuditPage/properties/records/maxItems").asInt());
    JsonNode decision = deref(doc, find(parameters(doc, doc.at("/paths/~1v1~1audit/get")), "decision").path("schema"));
    List<String> decisions = new ArrayList<>();
    decision.path("enum").forEach(d -> decisions.add(d.asText()));
    // AuditApi's DECISIONS, which this module cannot see: the receipt's, and the host's FAILED.
    List<String> expectedDecisions = new ArrayList<>(Receipt.DECISIONS);
    expectedDecisions.add("FAILED");
    assertEquals(expectedDecisions, decisions);
  }

  @Test
  void securityIsBearerEverywhereButTheDocumentItself() {
    JsonNode doc = OpenApiDocument.tree();
    JsonNode scheme = doc.at("/components/securitySchemes/apiKey");
    assertEquals("http", scheme.path("type").asText());
    assertEquals("bearer", scheme.path("scheme").asText());
    assertTrue(doc.path("security").get(0).has("apiKey"));
    assertTrue(doc.at("/paths/~1v1~1openapi.json/get/security").isArray());
    assertTrue(doc.at("/paths/~1v1~1openapi.json/get/security").isEmpty(), "served without authentication");
    assertFalse(doc.at("/paths/~1v1~1openapi.json/get/responses").has("401"));
  }

  @Test
  void jsonIsCompactAndTheSameDocument() throws Exception {
    String json = OpenApiDocument.json();
    assertFalse(json.contains("\n"));
    assertEquals(OpenApiDocument.tree(), Json.MAPPER.readTree(json));
    assertEquals(List.of(), OpenApiDocument.validateResponse("GET", "/v1/openapi.json", 200, JSON, json));
  }

  @Test
  void yamlWithAKeyTwiceIsRefused() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> OpenApiDocument.readYaml("openapi: 3.1.0\ninfo: {}\ninfo: {}\n"));
    assertTrue(e.getMessage().contains("info"), e.getMessage());
  }

  // --- real answers (api.md) ------------------------------------------------------------------

  @Test
  void theAnswersInTheApiDocsConform() throws Exception {
    String signed = Json.write(Json.MAPPER.readTree(JOBS_PAGE).path("jobs").get(0));
    assertConforms("POST", "/v1/jobs", 202, JSON, JOB_ACCEPTED);
    assertConforms("GET", "/v1/jobs/cc18ec84-c1b3-3732-b8ab-3eff626c981d", 200, JSON, signed);
    assertConforms("POST", "/v1/batches", 202, JSON, BATCH_ACCEPTED);
    assertConforms("GET", "/v1/batches/f8576dd3-3a5b-4e69-85f9-c7d44af76d22", 200, JSON, BATCH_VIEW);
    assertConforms("GET", "/v1/batches/f8576dd3-3a5b-4e69-85f9-c7d44af76d22/jobs?limit=1", 200, JSON, BATCH_JOBS_PAGE);
    assertConforms("GET", "/v1/jobs?limit=1&keyId=local-key&status=SIGNED", 200, JSON, JOBS_PAGE);
    assertConforms("POST", "/v1/policy/evaluate", 200, JSON, POLICY_EVALUATED);
    assertConforms("POST", "/v1/jobs", 409, PROBLEM, IDEMPOTENCY_KEY_REUSED);
    assertConforms("DELETE", "/v1/jobs", 405, PROBLEM, METHOD_NOT_ALLOWED);
    assertConforms("POST", "/v1/jobs", 422, PROBLEM, INVALID_MESSAGE);
    assertConforms("GET", "/v1/jobs?limit=500", 422, PROBLEM, INVALID_LIMIT);
    assertConforms("POST", "/v1/jobs", 415, PROBLEM, UNSUPPORTED_MEDIA_TYPE);
    assertConforms("POST", "/v1/jobs", 400, PROBLEM, MALFORMED_DUPLICATE_KEY);
    // HttpApiResponse's own header values.
    assertConforms("POST", "/v1/jobs", 202, "application/json; charset=UTF-8", JOB_ACCEPTED);
  }

  @Test
  void theBatchAnswerHasOneRefusedItemWithItsProblem() throws Exception {
    JsonNode items = Json.MAPPER.readTree(BATCH_ACCEPTED).path("items");
    assertEquals("/problems/invalid-request", items.get(1).at("/error/type").asText());
    assertFalse(items.get(1).has("jobId"));
  }

  // --- records as the API serialises them -----------------------------------------------------

  @Test
  void everyJobResultVariantConformsAsSerialised() throws Exception {
    JsonNode event = Json.MAPPER.readTree("{\"id\":\"" + "0d".repeat(32) + "\",\"pubkey\":\"" + "5a".repeat(32)
        + "\",\"created_at\":1764000000,\"kind\":1,\"tags\":[[\"t\",\"keep\"]],\"content\":\"hello from keep\",\"sig\":\""
        + "d6".repeat(64) + "\"}");
    PsbtReport.Summary summary = new PsbtReport.Summary(2, null, 100000, 99000, 1000, 142, 7.04, 60000, 39000, 1);
    List<PsbtReport.Input> inputs = List.of(
        new PsbtReport.Input(0, "51".repeat(32) + ":0", 100000, "p2tr", "tb1pv7pvrsl6yzfxjss7zcav5qxgths68umgv2c8j87ndcxxrlsjysaq2u5kqw",
            "witness_utxo", true, "SIGHASH_DEFAULT", "m/86'/1'/0'/0/0", "signed: P2TR key path, BIP-86 tweak"),
        new PsbtReport.Input(1, "52".repeat(32) + ":3", 5000, "p2wpkh", null, "both", false, null, null, "not this key's"));
    List<PsbtReport.Output> outputs = List.of(
        new PsbtReport.Output(0, 60000, "p2wpkh", "0014" + "d3".repeat(20), "tb1q6dxrx5nvx4vtelky5ak8fyrdkwhrp3d9gkp54z", false, null),
        new PsbtReport.Output(1, 0, "op_return", "6a04" + "ab".repeat(4), null, false, null),
        new PsbtReport.Output(2, 39000, "p2tr", "5120" + "f4".repeat(32), "tb1p7scz2ywx5jkc6hh43y06nghv0pd2d6mt3256p7eyht6h4esrjjmqe3wzuv",
            true, "m/86'/1'/0'/1/0"));
    Map<String, JobView> views = new LinkedHashMap<>();
    views.put("bip340 on an HD child", signed("message", new JobResult.Schnorr("ab".repeat(64), "5a".repeat(32), "m/44'/1237'/0'/0/0")));
    views.put("ecdsa", signed("digest", new JobResult.Ecdsa("ab".repeat(64), "30" + "45".repeat(69), 1, "cd".repeat(32),
        "02" + "ef".repeat(32), null)));
    views.put("nostr_event", signed("nostr_event", new JobResult.SignedEvent(event)));
    views.put("psbt, incomplete", signed("psbt", new JobResult.SignedPsbt("cHNidP8BAgQCAAAA", "testnet", false, null, summary,
        inputs, outputs)));
    views.put("psbt, complete", signed("psbt", new JobResult.SignedPsbt("cHNidP8BAgQCAAAA", "testnet", true, "0200" + "00".repeat(40),
        summary, inputs, outputs)));
    views.put("policy_decision without a policy", new JobView("bba8d18b-c8d6-4cf7-b2fc-5d30c9365e86", JobStatus.EVALUATED,
        JobRequest.POLICY_EVALUATE, "local-key", "2026-11-24T18:54:43.780021046Z", "2026-11-24T18:54:43.974784379Z", 1,
        new JobResult.PolicyEvaluation(false, "max-amount", "max_amount: 1,000,001 sats > 1,000,000", null, null,
            "12".repeat(32), List.of(new PolicyTrace("max-amount", "max_amount", "deny", "1,000,001 sats > 1,000,000"),
                new PolicyTrace("kinds", "allowed_kinds", "n/a", "not about amounts"))),
        null, null, null, null));
    views.put("rejected", new JobView("b9f9a9eb-2059-4ad5-b0d1-e4198bf73261", JobStatus.REJECTED, "digest", "local-key",
        "2026-11-24T16:44:39Z", "2026-11-24T16:44:40Z", 1, null,
        ApiError.of("POLICY_DENIED", "digest: key 'local-key' does not allow bare digests"), null, null, null));
    views.put("failed", new JobView("b9f9a9eb-2059-4ad5-b0d1-e4198bf73261", JobStatus.FAILED, "message", "local-key",
        "2026-11-24T16:44:39Z", "2026-11-24T16:54:40Z", 5, null, ApiError.of("ATTEMPTS_EXHAUSTED", "5 attempts"), null, null, null));
    views.put("queued, never claimed", new JobView("b9f9a9eb-2059-4ad5-b0d1-e4198bf73261", JobStatus.QUEUED, "message",
        "local-key", "2026-11-24T16:44:39Z", "2026-11-24T16:44:39Z", null, null, null, null, null, null));
    views.put("running, of a batch without reference", new JobView("190f8900-cbb5-3c72-98b9-1776fe5cb064", JobStatus.RUNNING,
        "message", "local-key", "2026-11-24T16:44:39Z", "2026-11-24T16:44:39Z", 1, null, null,
        "f8576dd3-3a5b-4e69-85f9-c7d44af76d22", 7, null));
    views.forEach((name, view) -> assertEquals(List.of(),
        OpenApiDocument.validateResponse("GET", "/v1/jobs/" + view.jobId(), 200, JSON, Json.write(view)), name));
    assertConforms("POST", "/v1/policy/evaluate", 200, JSON, Json.write(views.get("policy_decision without a policy")));
    assertConforms("GET", "/v1/jobs", 200, JSON, Json.write(new JobPage(List.copyOf(views.values()), null)));
  }

  @Test
  void theOtherRecordsConformAsSerialised() {
    assertConforms("POST", "/v1/policy/evaluate", 202, JSON,
        Json.write(new JobAccepted("bba8d18b-c8d6-4cf7-b2fc-5d30c9365e86", JobStatus.QUEUED)));
    assertConforms("GET", "/v1/batches/f8576dd3-3a5b-4e69-85f9-c7d44af76d22", 200, JSON,
        Json.write(new BatchView("f8576dd3-3a5b-4e69-85f9-c7d44af76d22", "2026-12-02T12:57:40.417671587Z", 2, 0,
            Map.of("QUEUED", 1, "RUNNING", 1, "SIGNED", 0, "REJECTED", 0, "FAILED", 0), false, null)));
    Problem tooLarge = new Problem("/problems/payload-too-large", "The body or the job is too large", 413,
        "items[0]: too large", "4f0d7926", "PAYLOAD_TOO_LARGE", List.of(new Problem.FieldError("items[0]", "too large")));
    assertConforms("POST", "/v1/batches", 202, JSON, Json.write(new BatchAccepted("f8576dd3-3a5b-4e69-85f9-c7d44af76d22",
        "ACCEPTED", List.of(new BatchAccepted.Item(0, null, null, tooLarge),
            new BatchAccepted.Item(1, null, "190f8900-cbb5-3c72-98b9-1776fe5cb064", null)))));
    // ApiHandler's answer to an unreadable event has no request id, so no instance; no errors either.
    assertConforms("GET", "/v1/jobs", 500, PROBLEM, Json.write(new Problem("/problems/internal", "Internal error", 500,
        "internal error; retry later", null, "INTERNAL", null)));
    assertConforms("GET", "/v1/jobs/x", 401, PROBLEM, Json.write(new Problem("/problems/unauthenticated",
        "No valid API key", 401, "missing Authorization: Bearer <api key>", "r-1", "UNAUTHENTICATED", List.of())));
    assertConforms("POST", "/v1/batches", 409, PROBLEM, Json.write(new Problem("/problems/idempotency-request-in-progress",
        "The first request with this idempotency key has not been answered yet", 409, "retry shortly", "r-2",
        "IDEMPOTENCY_IN_PROGRESS", null)));
    assertConforms("GET", "/v1/batches/nope", 404, PROBLEM, Json.write(new Problem("/problems/not-found", "Not found", 404,
        "no batch 'nope'", "r-3", "NOT_FOUND", null)));
    assertConforms("GET", "/v1/jobs", 429, PROBLEM, Json.write(new Problem("/problems/rate-limited", "Too many requests", 429,
        "over its rate", "r-4", "RATE_LIMITED", null)));
    assertConforms("POST", "/v1/batches", 413, PROBLEM, Json.write(new Problem("/problems/payload-too-large",
        "The body or the job is too large", 413, "body of 5000000 bytes exceeds 4194304 bytes", "r-5", "PAYLOAD_TOO_LARGE", null)));
  }

  // --- webhooks -------------------------------------------------------------------------------

  private static final String WEBHOOK_ID = "wh_" + "0123456789abcdef".repeat(2);
  private static final String DELIVERY_ID = "dlv_" + "fedcba9876543210".repeat(2);
  private static final String MESSAGE_ID = "msg_" + "00112233445566778899aabbccddeeff";
  private static final String JOB_ID = "190f8900-cbb5-3c72-98b9-1776fe5cb064";
  private static final String BATCH_ID = "f8576dd3-3a5b-4e69-85f9-c7d44af76d22";
  /** As WebhookSecret.reveal() writes one: {@code whsec_} and the base64 of 32 bytes. */
  private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(new byte[32]);
  private static final WebhookView WEBHOOK = new WebhookView(WEBHOOK_ID, "https://hooks.example.com/keep",
      List.of(EventType.JOB_SIGNED, EventType.BATCH_COMPLETED), "payments", false, null, null,
      "2026-12-02T12:00:00.000000000Z", "2026-12-02T12:00:00Z", null);
  private static final WebhookView DISABLED = new WebhookView(WEBHOOK_ID, "http://localhost:8088/hook",
      List.of(EventType.WEBHOOK_TEST), null, true, "the endpoint answered 410 Gone at 2026-12-02T13:00:00Z",
      "2026-12-02T12:30:00Z", "2026-12-02T12:00:00.000000000Z", "2026-12-02T13:00:00Z", null);
  private static final DeliveryView.Attempt ANSWERED = new DeliveryView.Attempt("2026-12-02T12:00:01Z", 200, 87, "ok", null);
  private static final DeliveryView.Attempt NO_BODY = new DeliveryView.Attempt("2026-12-02T12:00:01Z", 503, 12, null, null);
  private static final DeliveryView.Attempt TIMED_OUT =
      new DeliveryView.Attempt("2026-12-02T12:00:06Z", null, 15001, null, "timed out after 15 s");
  private static final DeliveryView.Attempt REFUSED = new DeliveryView.Attempt("2026-12-02T12:05:06Z", null, 0, null,
      "not sent: the URL resolves to 10.0.0.1, a private address; a webhook must reach a public address");

  private static DeliveryView delivery(String eventType, String jobId, String batchId, String status, String next,
      List<DeliveryView.Attempt> attempts) {
    return new DeliveryView(DELIVERY_ID, WEBHOOK_ID, MESSAGE_ID, eventType, jobId, batchId, status, attempts.size(), next,
        "2026-12-02T12:00:00.000000000Z", "2026-12-02T12:05:06Z", attempts);
  }

  @Test
  void theWebhookAnswersConformAsSerialised() {
    String one = "/v1/webhooks/" + WEBHOOK_ID;
    assertConforms("POST", "/v1/webhooks", 201, JSON, Json.write(WEBHOOK.withSecret(SECRET)));
    assertConforms("POST", one + "/rotate-secret", 200, JSON, Json.write(WEBHOOK.withSecret(SECRET)));
    assertConforms("GET", one, 200, JSON, Json.write(WEBHOOK));
    assertConforms("PATCH", one, 200, JSON, Json.write(DISABLED));
    assertConforms("GET", "/v1/webhooks?limit=2", 200, JSON, Json.write(new WebhookPage(List.of(WEBHOOK, DISABLED), "eyJ2IjoxfQ")));
    assertConforms("GET", "/v1/webhooks", 200, JSON, Json.write(new WebhookPage(List.of(), null)));
    // HttpApiResponse of WebhooksApi.delete: no body, no content-type.
    assertConforms("DELETE", one, 204, null, null);

    DeliveryView test = delivery("webhook.test", null, null, "PENDING", "2026-12-02T12:00:00Z", List.of());
    DeliveryView skippedTest = delivery("webhook.test", null, null, "SKIPPED", null, List.of());
    DeliveryView retrying = delivery("job.signed", JOB_ID, null, "PENDING", "2026-12-02T12:10:06Z", List.of(NO_BODY, TIMED_OUT));
    DeliveryView ofBatchJob = delivery("job.failed", JOB_ID, BATCH_ID, "FAILED", null, List.of(NO_BODY, TIMED_OUT, REFUSED));
    DeliveryView batch = delivery("batch.completed", null, BATCH_ID, "SUCCEEDED", null, List.of(ANSWERED));
    DeliveryView skipped = delivery("job.evaluated", JOB_ID, null, "SKIPPED", null, List.of());
    assertConforms("POST", one + "/test", 202, JSON, Json.write(test));
    assertConforms("POST", one + "/test", 202, JSON, Json.write(skippedTest));
    assertConforms("POST", one + "/deliveries/" + DELIVERY_ID + "/resend", 202, JSON, Json.write(retrying));
    assertConforms("GET", one + "/deliveries?status=FAILED&limit=10", 200, JSON,
        Json.write(new DeliveryPage(List.of(test, retrying, ofBatchJob, batch, skipped), "eyJ2IjoxfQ")));
    assertConforms("GET", "/v1/jobs/" + JOB_ID + "/deliveries", 200, JSON, Json.write(new DeliveryPage(List.of(), "eyJ2IjoxfQ")));
    assertConforms("POST", one + "/replay", 202, JSON,
        Json.write(new ReplayAccepted(WEBHOOK_ID, "2026-12-01T00:00:00Z", 3, true, null)));
    assertConforms("POST", one + "/replay", 202, JSON,
        Json.write(new ReplayAccepted(WEBHOOK_ID, "2026-12-01T00:00:00Z", 5000, false, "2026-12-01T06:00:00.000000000Z")));

    Problem conflict = new Problem("/problems/conflict", "The resource changed while the request was answered", 409,
        "the webhook changed while this request was answered; retry", "r-6", "CONFLICT", null);
    assertConforms("PATCH", one, 409, PROBLEM, Json.write(conflict));
    assertConforms("POST", one + "/rotate-secret", 409, PROBLEM, Json.write(conflict));
    assertConforms("POST", one + "/rotate-secret", 409, PROBLEM, IDEMPOTENCY_KEY_REUSED);
    assertConforms("POST", one + "/replay", 409, PROBLEM, IDEMPOTENCY_KEY_REUSED);
    assertConforms("GET", "/v1/webhooks/nope/deliveries", 404, PROBLEM, Json.write(new Problem("/problems/not-found",
        "Not found", 404, "no webhook 'nope'", "r-7", "NOT_FOUND", null)));
    assertConforms("PATCH", one, 415, PROBLEM, UNSUPPORTED_MEDIA_TYPE);
    assertConforms("POST", one + "/test", 422, PROBLEM, INVALID_MESSAGE);
    assertConforms("PUT", one, 405, PROBLEM, METHOD_NOT_ALLOWED);
    assertConforms("GET", one + "/deliveries/" + DELIVERY_ID + "/resend", 405, PROBLEM, METHOD_NOT_ALLOWED);
  }

  @Test
  void aWebhookAnswerThatBreaksARuleFails() throws Exception {
    String one = "/v1/webhooks/" + WEBHOOK_ID;
    assertFails(OpenApiDocument.validateResponse("GET", one, 200, JSON, Json.write(WEBHOOK.withSecret(SECRET))), "body.secret");
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/webhooks", 200, JSON,
        Json.write(new WebhookPage(List.of(WEBHOOK.withSecret(SECRET)), null))), "body.webhooks[0].secret");
    assertFails(OpenApiDocument.validateResponse("POST", "/v1/webhooks", 201, JSON, Json.write(WEBHOOK)), "body.secret");
    assertFails(OpenApiDocument.validateResponse("POST", "/v1/webhooks", 201, JSON, Json.write(WEBHOOK.withSecret("whsec_abc"))),
        "body.secret");
    ObjectNode noReason = (ObjectNode) Json.MAPPER.readTree(Json.write(DISABLED));
    noReason.remove("disabledReason");
    assertFails(OpenApiDocument.validateResponse("GET", one, 200, JSON, Json.write(noReason)), "body.disabledReason");
    ObjectNode enabledWithReason = (ObjectNode) Json.MAPPER.readTree(Json.write(DISABLED)).deepCopy();
    enabledWithReason.put("disabled", false);
    assertFails(OpenApiDocument.validateResponse("GET", one, 200, JSON, Json.write(enabledWithReason)), "body.disabledReason");
    ObjectNode unknownEvent = (ObjectNode) Json.MAPPER.readTree(Json.write(WEBHOOK));
    unknownEvent.putArray("eventTypes").add("job.queued");
    assertFails(OpenApiDocument.validateResponse("GET", one, 200, JSON, Json.write(unknownEvent)), "body.eventTypes[0]");

    String resend = one + "/deliveries/" + DELIVERY_ID + "/resend";
    assertFails(OpenApiDocument.validateResponse("POST", resend, 202, JSON,
        Json.write(delivery("job.signed", JOB_ID, null, "SUCCEEDED", "2026-12-02T12:10:06Z", List.of(ANSWERED)))),
        "body.nextAttemptAt");
    assertFails(OpenApiDocument.validateResponse("POST", resend, 202, JSON,
        Json.write(delivery("job.signed", JOB_ID, null, "PENDING", null, List.of()))), "body.nextAttemptAt");
    assertFails(OpenApiDocument.validateResponse("POST", resend, 202, JSON,
        Json.write(delivery("job.signed", null, null, "FAILED", null, List.of()))), "body.jobId");
    assertFails(OpenApiDocument.validateResponse("POST", resend, 202, JSON,
        Json.write(delivery("webhook.test", JOB_ID, null, "FAILED", null, List.of()))), "body.jobId");
    assertFails(OpenApiDocument.validateResponse("POST", resend, 202, JSON,
        Json.write(delivery("batch.completed", JOB_ID, BATCH_ID, "FAILED", null, List.of()))), "body.jobId");
    assertFails(OpenApiDocument.validateResponse("POST", resend, 202, JSON, Json.write(delivery("job.signed", JOB_ID, null,
        "FAILED", null, List.of(new DeliveryView.Attempt("2026-12-02T12:00:01Z", 500, 3, null, "both"))))), "body.attempts[0].error");
    assertFails(OpenApiDocument.validateResponse("POST", resend, 202, JSON, Json.write(delivery("job.signed", JOB_ID, null,
        "FAILED", null, List.of(new DeliveryView.Attempt("2026-12-02T12:00:01Z", null, 3, null, null))))), "body.attempts[0].error");
    assertFails(OpenApiDocument.validateResponse("POST", one + "/test", 202, JSON,
        Json.write(delivery("job.signed", JOB_ID, null, "FAILED", null, List.of()))), "body.eventType");
    assertFails(OpenApiDocument.validateResponse("POST", one + "/replay", 202, JSON,
        Json.write(new ReplayAccepted(WEBHOOK_ID, "2026-12-01T00:00:00Z", 5000, false, null))), "body.continueFrom");
    assertFails(OpenApiDocument.validateResponse("POST", one + "/replay", 202, JSON,
        Json.write(new ReplayAccepted(WEBHOOK_ID, "2026-12-01T00:00:00Z", 3, true, "2026-12-01T06:00:00Z"))), "body.continueFrom");

    assertFails(OpenApiDocument.validateResponse("DELETE", one, 204, JSON, "{}"), "the response has no content");
    assertFails(OpenApiDocument.validateResponse("DELETE", one, 200, JSON, Json.write(WEBHOOK)), "status 200 is not documented");
    assertFails(OpenApiDocument.validateResponse("DELETE", one, 409, PROBLEM, IDEMPOTENCY_KEY_REUSED), "status 409 is not documented");
    // PATCH takes no Idempotency-Key: its only 409 is conflict.
    assertFails(OpenApiDocument.validateResponse("PATCH", one, 409, PROBLEM, IDEMPOTENCY_KEY_REUSED), "body.type");
  }

  @Test
  void everyEventTypeHasAWebhookAndItsBodyConforms() {
    JsonNode doc = OpenApiDocument.tree();
    List<String> wire = Arrays.stream(EventType.values()).map(EventType::wire).toList();
    List<String> names = new ArrayList<>();
    doc.path("webhooks").fieldNames().forEachRemaining(names::add);
    assertEquals(wire, names);
    List<String> documented = new ArrayList<>();
    doc.at("/components/schemas/EventType/enum").forEach(t -> documented.add(t.asText()));
    assertEquals(wire, documented);
    for (String name : names) {
      JsonNode post = doc.path("webhooks").path(name).path("post");
      assertEquals(name, post.at("/requestBody/content/application~1json/schema/properties/type/const").asText(), name);
      List<String> headers = new ArrayList<>();
      parameters(doc, post).forEach(p -> headers.add(p.path("in").asText() + " " + p.path("name").asText()));
      assertEquals(List.of("header webhook-id", "header webhook-timestamp", "header webhook-signature"), headers, name);
      assertTrue(post.path("responses").has("2XX") && post.path("responses").has("410"), name);
    }

    JobView signed = signed("message", new JobResult.Schnorr("ab".repeat(64), "5a".repeat(32), null));
    JobView rejected = new JobView(JOB_ID, JobStatus.REJECTED, "digest", "local-key", "2026-11-24T16:44:39Z",
        "2026-11-24T16:44:40Z", 1, null, ApiError.of("POLICY_DENIED", "no"), BATCH_ID, 3, "payout-4");
    BatchView done = new BatchView(BATCH_ID, "2026-12-02T12:57:40.417671587Z", 2, 0,
        Map.of("QUEUED", 0, "RUNNING", 0, "SIGNED", 1, "REJECTED", 1, "FAILED", 0), true, "2026-12-02T12:57:40.705367458Z");
    assertEquals(List.of(), OpenApiDocument.validateSchema("WebhookEvent",
        Json.write(new WebhookEvent(EventType.JOB_SIGNED, signed.updatedAt(), signed))));
    assertEquals(List.of(), OpenApiDocument.validateSchema("WebhookEvent",
        Json.write(new WebhookEvent(EventType.JOB_REJECTED, rejected.updatedAt(), rejected))));
    assertEquals(List.of(), OpenApiDocument.validateSchema("WebhookEvent",
        Json.write(new WebhookEvent(EventType.BATCH_COMPLETED, done.completedAt(), done))));
    assertEquals(List.of(), OpenApiDocument.validateSchema("WebhookEvent", Json.write(new WebhookEvent(EventType.WEBHOOK_TEST,
        "2026-12-02T12:00:00Z", new WebhookEvent.TestData(WEBHOOK_ID, "a test event from Keep")))));

    assertFails(OpenApiDocument.validateSchema("WebhookEvent",
        Json.write(new WebhookEvent(EventType.JOB_FAILED, signed.updatedAt(), signed))), "body.data.status");
    BatchView notDone = new BatchView(BATCH_ID, "2026-12-02T12:57:40Z", 2, 0,
        Map.of("QUEUED", 1, "RUNNING", 0, "SIGNED", 1, "REJECTED", 0, "FAILED", 0), false, null);
    assertFails(OpenApiDocument.validateSchema("WebhookEvent",
        Json.write(new WebhookEvent(EventType.BATCH_COMPLETED, "2026-12-02T12:57:40Z", notDone))), "body.data.done");
    assertFails(OpenApiDocument.validateSchema("WebhookEvent",
        Json.write(new WebhookEvent(EventType.WEBHOOK_TEST, "2026-12-02T12:00:00Z", signed))), "body.data");
    assertFails(OpenApiDocument.validateSchema("WebhookEvent",
        "{\"type\":\"job.queued\",\"timestamp\":\"2026-12-02T12:00:00Z\",\"data\":{}}"), "body.type");
  }

  @Test
  void theWebhookBodiesAreTheShippedSchemas() throws Exception {
    JsonNode schemas = OpenApiDocument.tree().path("components").path("schemas");
    Map<String, String> copies = Map.of("WebhookCreate", "webhook-create", "WebhookPatch", "webhook-patch",
        "WebhookReplay", "webhook-replay");
    for (Map.Entry<String, String> copy : copies.entrySet()) {
      JsonNode shipped;
      try (InputStream in = OpenApiDocument.class.getResourceAsStream("/keep/schema/" + copy.getValue() + ".schema.json")) {
        shipped = Json.MAPPER.readTree(in);
      }
      assertEquals(rules(shipped, false), rules(schemas.get(copy.getKey()), false), copy.getKey() + " copies " + copy.getValue());
    }
    assertEquals(List.of(), OpenApiDocument.validateSchema("WebhookCreate",
        "{\"url\":\"https://hooks.example.com/keep\",\"eventTypes\":[\"job.signed\",\"batch.completed\"]}"));
    assertFails(OpenApiDocument.validateSchema("WebhookCreate",
        "{\"url\":\"https://hooks.example.com/keep\",\"eventTypes\":[\"job.signed\",\"job.signed\"]}"), "body.eventTypes");
    assertFails(OpenApiDocument.validateSchema("WebhookPatch", "{}"), "body");
    assertEquals(List.of(), OpenApiDocument.validateSchema("WebhookPatch", "{\"disabled\":false}"));
    assertFails(OpenApiDocument.validateSchema("WebhookReplay", "{\"since\":\"yesterday\"}"), "body.since");
    assertEquals(List.of(), OpenApiDocument.validateSchema("NoFields", "{}"));
    assertFails(OpenApiDocument.validateSchema("NoFields", "{\"all\":true}"), "body");
  }

  /** A schema's rules: without its annotations ($schema, $id, title, description), property names kept. */
  private static JsonNode rules(JsonNode schema, boolean propertyNames) {
    if (schema.isArray()) {
      ArrayNode out = Json.MAPPER.createArrayNode();
      schema.forEach(n -> out.add(rules(n, false)));
      return out;
    }
    if (!schema.isObject()) {
      return schema;
    }
    ObjectNode out = Json.MAPPER.createObjectNode();
    schema.properties().forEach(f -> {
      if (propertyNames || !Set.of("$schema", "$id", "title", "description").contains(f.getKey())) {
        out.set(f.getKey(), rules(f.getValue(), !propertyNames && f.getKey().equals("properties")));
      }
    });
    return out;
  }

  // --- what must fail -------------------------------------------------------------------------

  @Test
  void anUndocumentedFieldFailsNamingIt() throws Exception {
    ObjectNode page = (ObjectNode) Json.MAPPER.readTree(JOBS_PAGE);
    ObjectNode job = (ObjectNode) page.path("jobs").get(0);
    job.put("tenantId", "local");
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/jobs/x", 200, JSON, Json.write(job)), "body.tenantId");
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/jobs", 200, JSON, Json.write(page)), "body.jobs[0].tenantId");
    job.remove("tenantId");
    ((ObjectNode) job.get("result")).put("keyId", "local-key");
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/jobs/x", 200, JSON, Json.write(job)), "body.result.keyId");

    ObjectNode problem = (ObjectNode) Json.MAPPER.readTree(INVALID_MESSAGE);
    problem.put("requestId", "dff86486");
    assertFails(OpenApiDocument.validateResponse("POST", "/v1/jobs", 422, PROBLEM, Json.write(problem)), "body.requestId");
    ObjectNode batch = (ObjectNode) Json.MAPPER.readTree(BATCH_VIEW);
    ((ObjectNode) batch.get("counts")).put("PAID", 0);
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/batches/b", 200, JSON, Json.write(batch)), "body.counts.PAID");
  }

  @Test
  void anAnswerThatBreaksARuleFailsNamingTheField() throws Exception {
    ObjectNode job = (ObjectNode) Json.MAPPER.readTree(JOBS_PAGE).path("jobs").get(0);
    ObjectNode noResult = job.deepCopy();
    noResult.remove("result");
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/jobs/x", 200, JSON, Json.write(noResult)), "body.result");
    ObjectNode rejectedWithResult = job.deepCopy().put("status", "REJECTED");
    rejectedWithResult.putObject("error").put("code", "POLICY_DENIED").put("message", "no");
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/jobs/x", 200, JSON, Json.write(rejectedWithResult)), "body.result");
    ObjectNode ecdsaForNostr = job.deepCopy().put("kind", "nostr_event");
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/jobs/x", 200, JSON, Json.write(ecdsaForNostr)), "body.result.type");
    ObjectNode badSignature = job.deepCopy();
    ((ObjectNode) badSignature.get("result")).put("signature", "zz");
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/jobs/x", 200, JSON, Json.write(badSignature)), "body.result.signature");
    ObjectNode unknownType = job.deepCopy();
    ((ObjectNode) unknownType.get("result")).put("type", "rsa");
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/jobs/x", 200, JSON, Json.write(unknownType)),
        "body.result.type: is \"rsa\"; must be one of [bip340, ecdsa, nostr_event, psbt, policy_decision]");
    ObjectNode badInstant = job.deepCopy().put("createdAt", "yesterday");
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/jobs/x", 200, JSON, Json.write(badInstant)), "body.createdAt");

    ObjectNode wrongTitle = (ObjectNode) Json.MAPPER.readTree(METHOD_NOT_ALLOWED);
    wrongTitle.put("title", "Nope");
    assertFails(OpenApiDocument.validateResponse("DELETE", "/v1/jobs", 405, PROBLEM, Json.write(wrongTitle)), "body.title");
    // A 422 problem is not a 409 one.
    assertFails(OpenApiDocument.validateResponse("POST", "/v1/jobs", 409, PROBLEM, INVALID_MESSAGE), "body.type");
    ObjectNode both = (ObjectNode) Json.MAPPER.readTree(BATCH_ACCEPTED);
    ((ObjectNode) both.path("items").get(1)).put("jobId", "190f8900-cbb5-3c72-98b9-1776fe5cb064");
    assertFails(OpenApiDocument.validateResponse("POST", "/v1/batches", 202, JSON, Json.write(both)), "body.items[1].jobId");
    ObjectNode notQueued = (ObjectNode) Json.MAPPER.readTree(JOB_ACCEPTED);
    notQueued.put("status", "SIGNED");
    assertFails(OpenApiDocument.validateResponse("POST", "/v1/jobs", 202, JSON, Json.write(notQueued)), "body.status");
    ArrayNode jobs = (ArrayNode) Json.MAPPER.readTree(JOBS_PAGE).path("jobs");
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/jobs", 200, JSON, Json.write(jobs)), "body");
  }

  @Test
  void anUndocumentedStatusFails() {
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/jobs/abc", 201, JSON, JOB_ACCEPTED), "status 201 is not documented");
    assertFails(OpenApiDocument.validateResponse("POST", "/v1/jobs", 200, JSON, JOB_ACCEPTED), "status 200 is not documented");
    assertFails(OpenApiDocument.validateResponse("POST", "/v1/jobs", 404, PROBLEM, METHOD_NOT_ALLOWED), "status 404 is not documented");
    // A method the path lacks is answered 405 and nothing else.
    assertFails(OpenApiDocument.validateResponse("DELETE", "/v1/jobs", 404, PROBLEM, METHOD_NOT_ALLOWED), "405 only");
    // 405 is not an answer of a method the path has.
    assertFails(OpenApiDocument.validateResponse("POST", "/v1/jobs", 405, PROBLEM, METHOD_NOT_ALLOWED), "status 405 is not documented");
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/openapi.json", 401, PROBLEM, METHOD_NOT_ALLOWED), "status 401 is not documented");
  }

  @Test
  void aWrongContentTypeFails() {
    assertFails(OpenApiDocument.validateResponse("POST", "/v1/jobs", 202, PROBLEM, JOB_ACCEPTED), "Content-Type");
    assertFails(OpenApiDocument.validateResponse("POST", "/v1/jobs", 202, "text/plain", JOB_ACCEPTED), "Content-Type");
    assertFails(OpenApiDocument.validateResponse("POST", "/v1/jobs", 409, JSON, IDEMPOTENCY_KEY_REUSED), "Content-Type");
    assertFails(OpenApiDocument.validateResponse("POST", "/v1/jobs", 202, null, JOB_ACCEPTED), "Content-Type: is required");
  }

  @Test
  void anUnknownPathOrABodyThatIsNotJsonFails() {
    // A path no route has may only be answered with the not-found problem (x-keep-unlisted-paths).
    assertFails(OpenApiDocument.validateResponse("GET", "/v2/jobs", 404, PROBLEM, METHOD_NOT_ALLOWED), "must be the constant value");
    assertFails(OpenApiDocument.validateResponse("GET", "/v2/jobs", 200, JSON, JOB_ACCEPTED), "no path of the document");
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/jobs/a/b", 200, JSON, JOB_ACCEPTED), "no path of the document");
    assertFails(OpenApiDocument.validateResponse("POST", "/v1/jobs", 202, JSON, "{\"jobId\":"), "body: is not JSON");
    assertFails(OpenApiDocument.validateResponse("POST", "/v1/jobs", 202, JSON, ""), "body: is required");
  }

  // --- audit ---------------------------------------------------------------------------------

  private static final String BOOT = "a1".repeat(32);
  private static final String AUDIT_KEY = "55".repeat(32);

  private static Receipt receipt(long seq, String prev, String decision) {
    boolean signed = decision.equals("SIGNED");
    return new Receipt(Receipt.VERSION, seq, prev, BOOT, "2026-12-02T12:00:0" + seq + ".123456789Z", JOB_ID, "local",
        "local-key", "message", "33".repeat(32), decision, signed ? null : "max-tx", signed ? null : "over the limit",
        signed ? null : 3L, signed ? null : "44".repeat(32), signed ? "66".repeat(32) : null, AUDIT_KEY);
  }

  private static final SignedReceipt SIGNED_RECEIPT = new SignedReceipt(receipt(1, Receipt.GENESIS, "SIGNED"), "77".repeat(64));
  private static final SignedReceipt REJECTED_RECEIPT =
      new SignedReceipt(receipt(2, SIGNED_RECEIPT.receipt().link(), "REJECTED"), "78".repeat(64));

  /** The lines of an export as AuditApi writes them: the stored signed items, tagged. */
  private static List<String> exportLines() {
    Checkpoint.Signed checkpoint = new Checkpoint.Signed(new Checkpoint(BOOT, "local", 2, REJECTED_RECEIPT.receipt().link(),
        "2026-12-02T12:05:00Z", AUDIT_KEY), "12".repeat(64));
    List<String> lines = new ArrayList<>();
    lines.add(Json.write(Map.of("type", "attestation", "bootId", BOOT, "document", "ZG9jdW1lbnQ=", "auditKey", AUDIT_KEY,
        "policies", List.of())));
    for (SignedReceipt r : List.of(SIGNED_RECEIPT, REJECTED_RECEIPT)) {
      String stored = Json.write(r);
      lines.add("{\"type\":\"receipt\"," + stored.substring(1));
    }
    String stored = Json.write(checkpoint);
    lines.add("{\"type\":\"checkpoint\"," + stored.substring(1));
    // And as the records of dev.keep.schema.audit serialise them.
    lines.add(Json.write(new ExportLine.Attestation(BOOT, "ZG9jdW1lbnQ=", AUDIT_KEY,
        List.of(new PolicyRef("local-key", 3, "44".repeat(32))))));
    lines.add(Json.write(ExportLine.ReceiptLine.of(SIGNED_RECEIPT)));
    lines.add(Json.write(ExportLine.CheckpointLine.of(checkpoint)));
    return lines;
  }

  @Test
  void theAuditAnswersConformAsSerialised() {
    AuditRecordView signed = new AuditRecordView(JOB_ID, "local-key", "message", "SIGNED", "signed",
        "2026-12-02T12:00:01.123456789Z", 1, "88".repeat(32), "99".repeat(32), SIGNED_RECEIPT);
    AuditRecordView rejected = new AuditRecordView(JOB_ID, "local-key", "message", "REJECTED",
        "POLICY_DENIED: policy rule 'max-tx': over the limit", "2026-12-02T12:00:02Z", 1, "88".repeat(32), "99".repeat(32),
        REJECTED_RECEIPT);
    AuditRecordView failed = new AuditRecordView(JOB_ID, "local-key", "policy_evaluate", "FAILED",
        "ATTEMPTS_EXHAUSTED: 5 attempts", "2026-12-02T12:10:00Z", 5, "88".repeat(32), "99".repeat(32), null);
    assertConforms("GET", "/v1/audit?keyId=local-key&decision=SIGNED&limit=200", 200, JSON,
        Json.write(new AuditPage(List.of(failed, rejected, signed), "eyJ2IjoxfQ")));
    assertConforms("GET", "/v1/audit", 200, JSON, Json.write(new AuditPage(List.of(), null)));
    assertConforms("GET", "/v1/attestations/" + BOOT, 200, JSON,
        Json.write(new AttestationView(BOOT, "nitro", AUDIT_KEY, "ZG9jdW1lbnQ=", "2026-12-02T12:00:00Z")));

    // The export is JSON Lines: the body is not one JSON value, each line is an ExportLine.
    List<String> lines = exportLines();
    for (String line : lines) {
      assertEquals(List.of(), OpenApiDocument.validateSchema("ExportLine", line), line);
    }
    assertEquals("#/components/schemas/ExportLine", OpenApiDocument.tree()
        .at("/paths/~1v1~1audit~1export/get/responses/200/content/application~1x-ndjson/x-keep-item-schema/$ref").asText());
    assertConforms("GET", "/v1/audit/export?from=2026-12-02T00:00:00Z", 200, NDJSON, String.join("\n", lines) + "\n");
    assertConforms("GET", "/v1/audit/export", 200, NDJSON, "");
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/audit/export", 200, JSON, lines.get(0)), "Content-Type");

    Problem forbidden = new Problem("/problems/forbidden", "The API key's role does not allow this", 403,
        "this API key is an auditor's: it reads and never creates or changes anything; POST /v1/jobs needs a submitter's key",
        "r-8", "FORBIDDEN", null);
    assertConforms("POST", "/v1/jobs", 403, PROBLEM, Json.write(forbidden));
    assertConforms("DELETE", "/v1/webhooks/" + WEBHOOK_ID, 403, PROBLEM, Json.write(forbidden));
    assertConforms("PATCH", "/v1/webhooks/" + WEBHOOK_ID, 403, PROBLEM, Json.write(forbidden));
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/jobs", 403, PROBLEM, Json.write(forbidden)), "status 403 is not documented");
    assertFails(OpenApiDocument.validateResponse("POST", "/v1/jobs", 403, PROBLEM, METHOD_NOT_ALLOWED), "body.type");
    assertConforms("GET", "/v1/attestations/nope", 404, PROBLEM, Json.write(new Problem("/problems/not-found", "Not found",
        404, "no attestation document for boot nope", "r-9", "NOT_FOUND", null)));
    assertConforms("GET", "/v1/audit?decision=MAYBE", 422, PROBLEM, Json.write(new Problem("/problems/invalid-request",
        "The request breaks a rule", 422, "query.decision: must be one of [SIGNED, REJECTED, EVALUATED, FAILED], got 'MAYBE'",
        "r-10", "INVALID_REQUEST", List.of(new Problem.FieldError("query.decision",
            "must be one of [SIGNED, REJECTED, EVALUATED, FAILED], got 'MAYBE'")))));
    assertConforms("GET", "/v1/audit/export?cursor=x", 400, PROBLEM, Json.write(new Problem("/problems/malformed-request",
        "The request is malformed", 400, "query.cursor: is not a cursor this API gave out", "r-11", "INVALID_REQUEST",
        List.of(new Problem.FieldError("query.cursor", "is not a cursor this API gave out")))));
    assertConforms("POST", "/v1/audit", 405, PROBLEM, METHOD_NOT_ALLOWED);
  }

  @Test
  void anAuditAnswerThatBreaksARuleFails() throws Exception {
    AuditRecordView record = new AuditRecordView(JOB_ID, "local-key", "message", "SIGNED", "signed",
        "2026-12-02T12:00:01Z", 1, "88".repeat(32), "99".repeat(32), SIGNED_RECEIPT);
    ObjectNode page = (ObjectNode) Json.MAPPER.readTree(Json.write(new AuditPage(List.of(record), null)));
    ObjectNode view = (ObjectNode) page.path("records").get(0);
    ObjectNode r = (ObjectNode) view.at("/receipt/receipt");
    // Every member of a receipt is present, nulls included: what is hashed is every member.
    r.remove("rule");
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/audit", 200, JSON, Json.write(page)),
        "body.records[0].receipt.receipt.rule");
    r.putNull("rule").put("prev", "00");
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/audit", 200, JSON, Json.write(page)),
        "body.records[0].receipt.receipt.prev");
    r.put("prev", Receipt.GENESIS).put("decision", "FAILED");
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/audit", 200, JSON, Json.write(page)),
        "body.records[0].receipt.receipt.decision");
    r.put("decision", "SIGNED").put("v", 2);
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/audit", 200, JSON, Json.write(page)),
        "body.records[0].receipt.receipt.v");
    r.put("v", 1).put("tenantId", "local");
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/audit", 200, JSON, Json.write(page)),
        "body.records[0].receipt.receipt.tenantId");
    r.remove("tenantId");
    ((ObjectNode) view.get("receipt")).put("signature", "77");
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/audit", 200, JSON, Json.write(page)),
        "body.records[0].receipt.signature");
    view.remove("receipt");
    view.put("workerId", "w-1");
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/audit", 200, JSON, Json.write(page)), "body.records[0].workerId");
    view.remove("workerId");
    view.put("decision", "QUEUED");
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/audit", 200, JSON, Json.write(page)), "body.records[0].decision");
    view.put("decision", "FAILED");
    assertConforms("GET", "/v1/audit", 200, JSON, Json.write(page));

    ObjectNode attestation = (ObjectNode) Json.MAPPER.readTree(
        Json.write(new AttestationView(BOOT, "local", AUDIT_KEY, "ZG9jdW1lbnQ=", "2026-12-02T12:00:00Z")));
    attestation.put("mode", "sgx");
    assertFails(OpenApiDocument.validateResponse("GET", "/v1/attestations/" + BOOT, 200, JSON, Json.write(attestation)),
        "body.mode");

    List<String> lines = exportLines();
    assertFails(OpenApiDocument.validateSchema("ExportLine", lines.get(1).replace("\"type\":\"receipt\"", "\"type\":\"job\"")),
        "body.type: is \"job\"; must be one of [attestation, receipt, checkpoint]");
    assertFails(OpenApiDocument.validateSchema("ExportLine", lines.get(3).replace("\"type\":\"checkpoint\"", "\"type\":\"receipt\"")),
        "body.receipt");
    ObjectNode attestationLine = (ObjectNode) Json.MAPPER.readTree(lines.get(0));
    attestationLine.remove("policies");
    assertFails(OpenApiDocument.validateSchema("ExportLine", Json.write(attestationLine)), "body.policies");
  }

  /** The audit schemas name every component of their records, and state the tags signatures use. */
  @Test
  void theAuditSchemasFollowTheirRecords() {
    JsonNode schemas = OpenApiDocument.tree().path("components").path("schemas");
    Map<String, Class<? extends Record>> records = new LinkedHashMap<>();
    records.put("AuditRecordView", AuditRecordView.class);
    records.put("AuditPage", AuditPage.class);
    records.put("AttestationView", AttestationView.class);
    records.put("Receipt", Receipt.class);
    records.put("SignedReceipt", SignedReceipt.class);
    records.put("Checkpoint", Checkpoint.class);
    records.put("PolicyRef", PolicyRef.class);
    records.forEach((name, type) -> {
      Set<String> components = new TreeSet<>();
      Arrays.stream(type.getRecordComponents()).forEach(c -> components.add(c.getName()));
      Set<String> properties = new TreeSet<>();
      schemas.path(name).path("properties").fieldNames().forEachRemaining(properties::add);
      assertEquals(components, properties, name);
      assertFalse(schemas.path(name).path("additionalProperties").asBoolean(true), name + " is closed");
    });
    // Receipt is written with every member (JsonInclude.ALWAYS), so every one is required.
    Set<String> required = new TreeSet<>();
    schemas.at("/Receipt/required").forEach(n -> required.add(n.asText()));
    Set<String> components = new TreeSet<>();
    Arrays.stream(Receipt.class.getRecordComponents()).forEach(c -> components.add(c.getName()));
    assertEquals(components, required);
    String signature = schemas.at("/SignedReceipt/description").asText();
    assertTrue(signature.contains("TaggedHash(\"" + Receipt.TAG + "\", JCS(receipt))") && signature.contains("RFC 8785")
        && signature.contains("SHA256(SHA256(tag) || SHA256(tag) || data)"), signature);
    assertTrue(schemas.at("/Checkpoint/description").asText().contains("\"" + Checkpoint.TAG + "\""));
    assertTrue(schemas.at("/Receipt/description").asText().contains("64 zeros"));
  }

  // --- helpers --------------------------------------------------------------------------------

  private static JobView signed(String kind, JobResult result) {
    return new JobView("65bf69c3-309a-45aa-9ff4-2f76dbe02dac", JobStatus.SIGNED, kind, "local-key",
        "2026-11-24T16:44:39.022072957Z", "2026-11-24T16:44:39.299042092Z", 1, result, null, null, null, null);
  }

  private static void assertConforms(String method, String path, int status, String contentType, String body) {
    assertEquals(List.of(), OpenApiDocument.validateResponse(method, path, status, contentType, body),
        method + " " + path + " " + status + " " + body);
  }

  /** Fails, and some error names {@code expected} (a field such as {@code body.result.keyId}, or a rule). */
  private static void assertFails(List<String> errors, String expected) {
    assertFalse(errors.isEmpty(), "expected a failure naming " + expected);
    assertTrue(errors.stream().anyMatch(e -> e.contains(expected + ":") || e.contains(expected)),
        "no error names " + expected + ": " + errors);
  }

  private static JsonNode deref(JsonNode doc, JsonNode node) {
    JsonNode at = node;
    while (at.has("$ref")) {
      at = doc.at(at.get("$ref").asText().substring(1));
    }
    return at;
  }

  private static List<JsonNode> parameters(JsonNode doc, JsonNode operation) {
    List<JsonNode> params = new ArrayList<>();
    operation.path("parameters").forEach(p -> params.add(deref(doc, p)));
    return params;
  }

  private static JsonNode find(List<JsonNode> params, String name) {
    JsonNode found = params.stream().filter(p -> p.path("name").asText().equals(name)).findFirst().orElse(null);
    assertNotNull(found, "parameter " + name);
    return found;
  }

  private static void collectRefs(JsonNode node, List<String> refs) {
    if (node.isObject()) {
      node.properties().forEach(f -> {
        if (f.getKey().equals("$ref") && f.getValue().isTextual()) {
          refs.add(f.getValue().asText());
        } else {
          collectRefs(f.getValue(), refs);
        }
      });
    } else if (node.isArray()) {
      node.forEach(n -> collectRefs(n, refs));
    }
  }
}
