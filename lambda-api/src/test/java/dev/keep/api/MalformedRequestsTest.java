package dev.keep.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.api.jobs.JobsApi;
import dev.keep.schema.encoding.Json;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every malformed request we could think of, to every route: each answer is problem+json with a
 * 4xx status and names the field at fault, and nothing is stored or enqueued.
 */
class MalformedRequestsTest {
  private static final String KEY = "test-api-key-malformed-0001";
  private static ApiTestStack stack;
  private static ApiHandler handler;

  @BeforeAll
  static void start() {
    stack = new ApiTestStack("MalformedRequestsTest");
    stack.tenant("m1", KEY);
    stack.key("mk", "m1");
    handler = stack.handler(Clock.systemUTC(), JobsApi.DEFAULT_DRY_RUN_WAIT);
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  private static JsonNode call(String method, String path, String query, String body) throws Exception {
    return ApiTestStack.invoke(handler, ApiTestStack.event(method, path, query, KEY, Map.of(), body));
  }

  /** Bodies that are not a valid job, each with the field its problem must name. */
  static List<String[]> badJobBodies() {
    String ok = "{\"keyId\":\"mk\",\"kind\":\"message\",\"message\":\"00\"}";
    String event = "{\"keyId\":\"mk\",\"kind\":\"nostr_event\",\"event\":{\"pubkey\":\"" + "ab".repeat(32)
        + "\",\"created_at\":1700000000,\"kind\":1,\"tags\":[],\"content\":\"x\"}}";
    List<String[]> cases = new ArrayList<>(List.of(
        new String[] {"not json", "body"},
        new String[] {"{\"keyId\":\"mk\",", "body"},
        new String[] {"[]", ""},
        new String[] {"\"a string\"", ""},
        new String[] {"null", ""},
        new String[] {ok.replace("}", "}}"), "body"},
        new String[] {ok.replace("\"message\":\"00\"", "\"message\":\"00\",\"message\":\"01\""), "message"},
        new String[] {ok.replace("\"mk\"", "7"), "keyId"},
        new String[] {ok.replace("\"00\"", "[\"00\"]"), "message"},
        new String[] {ok.replace("\"00\"", "null"), "message"},
        new String[] {ok.replace("}", ",\"colour\":\"red\"}"), "colour"},
        new String[] {ok.replace("\"00\"", "\"0\""), "message"},
        new String[] {ok.replace("\"00\"", "\"0g\""), "message"},
        new String[] {ok.replace("\"00\"", "\"00\\u0000\""), "message"},
        new String[] {ok.replace("\"message\",", "\"MESSAGE\","), "kind"},
        new String[] {ok.replace("\"mk\"", "\"\""), "keyId"},
        new String[] {ok.replace("\"mk\"", "\"" + "k".repeat(10_000) + "\""), "keyId"},
        new String[] {event.replace("1700000000", "1e400"), "event.created_at"},
        new String[] {event.replace("1700000000", "99999999999999999999999999999"), "event.created_at"},
        new String[] {event.replace("1700000000", "-1"), "event.created_at"},
        new String[] {event.replace("\"kind\":1,", "\"kind\":1.5,"), "event.kind"},
        new String[] {event.replace("\"tags\":[]", "\"tags\":[" + "[".repeat(2_000) + "]".repeat(2_000) + "]"), "body"},
        new String[] {event.replace("\"tags\":[]", "\"tags\":[[[[\"deep\"]]]]"), "event.tags[0][0]"},
        new String[] {event.replace("\"ab", "\"AB"), "event.pubkey"},
        new String[] {event.replace("\"content\":\"x\"", "\"content\":5"), "event.content"}));
    return cases;
  }

  private static int stored() {
    return stack.dynamo.scan(b -> b.tableName(stack.prefix + "jobs")).count()
        + stack.dynamo.scan(b -> b.tableName(stack.prefix + "batches")).count();
  }

  private static int queued() {
    return stack.sqs.getQueueAttributes(b -> b.queueUrl(stack.queueUrl).attributeNamesWithStrings("ApproximateNumberOfMessages"))
        .attributesAsStrings().values().stream().mapToInt(Integer::parseInt).sum();
  }

  @Test
  void everyMalformedBody_toEveryPostRoute_isAProblemNamingTheField_andStoresNothing() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (String route : List.of("/v1/jobs", "/v1/policy/evaluate", "/v1/batches")) {
      for (String[] c : badJobBodies()) {
        boolean batch = route.equals("/v1/batches");
        String body = batch && c[0].startsWith("{") && c[1].length() > 0 && !c[1].equals("body")
            ? "{\"items\":[" + c[0] + "]}" : c[0];
        String field = batch && body != c[0] ? "items[0]." + c[1] : c[1];
        JsonNode response = call("POST", route, "", body);
        check(route + " " + abbreviate(body), response, field, wrong);
      }
    }
    assertEquals(List.of(), wrong);
    assertEquals(0, stored(), "nothing stored");
    assertEquals(0, queued(), "nothing enqueued");
  }

  @Test
  void everyMalformedQueryOrId_toEveryGetRoute_isAProblemNamingTheField() throws Exception {
    List<String> wrong = new ArrayList<>();
    String[][] cases = {
      {"/v1/jobs", "limit=0", "query.limit"},
      {"/v1/jobs", "limit=1e3", "query.limit"},
      {"/v1/jobs", "limit=99999999999999999999", "query.limit"},
      {"/v1/jobs", "status=signed", "query.status"},
      {"/v1/jobs", "createdAfter=2026-13-01T00:00:00Z", "query.createdAfter"},
      {"/v1/jobs", "batchId=%00", "query.batchId"},
      {"/v1/jobs", "cursor=%%%", ""},
      {"/v1/jobs", "cursor=eyJ2IjoxfQ", "query.cursor"},
      {"/v1/jobs", "keyId=a&keyId=b", "query.keyId"},
      {"/v1/jobs", "unknown=1", "query.unknown"},
      {"/v1/batches/none/jobs", "limit=-1", ""},
      {"/v1/jobs/%00", "", ""},
      {"/v1/batches/" + "x".repeat(500), "", ""},
    };
    for (String[] c : cases) {
      JsonNode response = call("GET", c[0], c[1], null);
      check("GET " + c[0] + "?" + c[1], response, c[2], wrong);
    }
    assertEquals(List.of(), wrong);
  }

  private static void check(String what, JsonNode response, String field, List<String> wrong) throws Exception {
    int status = response.get("statusCode").asInt();
    String type = response.path("headers").path("content-type").asText();
    JsonNode problem = Json.MAPPER.readTree(response.get("body").asText());
    String named = problem.path("errors").path(0).path("field").asText();
    if (!Set.of(400, 404, 413, 415, 422).contains(status) || !type.equals("application/problem+json")
        || problem.path("status").asInt() != status || !problem.path("type").asText().startsWith("/problems/")
        || (!field.isEmpty() && !field.equals(named))) {
      wrong.add(what + " → " + status + " " + type + " field '" + named + "' (wanted '" + field + "'): "
          + abbreviate(problem.path("detail").asText()));
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 90 ? s : s.substring(0, 90) + "…";
  }
}
