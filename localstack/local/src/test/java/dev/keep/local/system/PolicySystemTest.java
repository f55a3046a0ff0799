package dev.keep.local.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keep.enclave.keys.SecretKey;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.enclave.signing.Message;
import dev.keep.local.demo.JobsClient;
import dev.keep.local.stack.LocalStack;
import dev.keep.local.wallet.ExampleWallet;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.tables.Tables;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Policies through the whole system: HTTP → Lambda handler → DynamoDB + SQS → worker → enclave →
 * a REJECTED job with the rule and the reason, audited like a signature; dry runs through {@code
 * POST /v1/policy/evaluate}; approvals attached to a job.
 */
class PolicySystemTest {
  private static final LibSecp256k1Engine ENGINE = new LibSecp256k1Engine();
  private static LocalStack stack;

  @BeforeAll
  static void start() throws Exception {
    stack = LocalStack.start(TestStacks.onSharedMoto(PolicySystemTest.class));
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  /**
   * The deployment guide's example, {@code MaxAmountSats(1_000_000)} and {@code MaxPerHour(10)}:
   * 1,000,001 sats are refused and 1,000,000 signed; the 11th signature in the hour is refused. A
   * dry run first says what would happen, and charges nothing.
   */
  @Test
  void theGuidesExample_deniesOverTheAmountAndTheEleventhSignature() throws Exception {
    stack.createTenant("t-guide", "api-key-for-the-guide-example");
    stack.createKey("guide-key", "t-guide", new EnclaveRequest.KeySpec("hd", "testnet", false), ("""
        {"version": 1, "rule": {"id": "root", "all": [
          {"id": "kinds", "type": "allowed_kinds", "kinds": ["message", "psbt"]},
          {"id": "MaxAmountSats", "type": "max_amount", "sats": 1000000},
          {"id": "MaxPerHour", "type": "max_count", "window": "1h", "count": 10}]}}
        """));
    JobsClient client = new JobsClient(stack.apiUrl(), "api-key-for-the-guide-example");
    ExampleWallet wallet = ExampleWallet.of(stack, "guide-key");
    String over = psbtJob("guide-key", wallet.taproot(1_000_001).psbtBase64());
    String atLimit = psbtJob("guide-key", wallet.segwit(1_000_000).psbtBase64());

    JobsClient.Answer dryRun = client.evaluate(over);
    assertEquals(200, dryRun.status(), dryRun.body().toString());
    assertEquals("EVALUATED", dryRun.body().path("status").asText(), dryRun.body().toString());
    assertEquals("policy_evaluate", dryRun.body().path("kind").asText());
    JsonNode decision = dryRun.body().path("result");
    assertEquals("policy_decision", decision.path("type").asText());
    assertFalse(decision.path("allowed").asBoolean());
    assertEquals("MaxAmountSats", decision.path("ruleId").asText());
    assertEquals("max_amount: 1,000,001 sats > 1,000,000", decision.path("reason").asText());
    assertEquals(1, decision.path("policyVersion").asLong());
    assertTrue(decision.path("trace").size() >= 4, decision.toString());
    assertEquals("EVALUATED", audit(dryRun.body().path("jobId").asText()).get("decision").s());

    JsonNode refused = finished(client, submit(client, over));
    assertEquals("REJECTED", refused.path("status").asText(), refused.toString());
    assertEquals("POLICY_DENIED", refused.path("error").path("code").asText());
    assertEquals("policy rule 'MaxAmountSats': max_amount: 1,000,001 sats > 1,000,000",
        refused.path("error").path("message").asText());
    Map<String, AttributeValue> refusal = audit(refused.path("jobId").asText());
    assertEquals("REJECTED", refusal.get("decision").s());
    assertEquals("POLICY_DENIED: policy rule 'MaxAmountSats': max_amount: 1,000,001 sats > 1,000,000",
        refusal.get("reason").s());

    assertEquals("SIGNED", finished(client, submit(client, atLimit)).path("status").asText());
    for (int i = 2; i <= 10; i++) {
      JsonNode signed = finished(client, submit(client, messageJob("guide-key", i, null)));
      assertEquals("SIGNED", signed.path("status").asText(), "signature " + i + ": " + signed);
    }
    JsonNode eleventh = finished(client, submit(client, messageJob("guide-key", 11, null)));
    assertEquals("REJECTED", eleventh.path("status").asText(), eleventh.toString());
    assertEquals("policy rule 'MaxPerHour': max_count 1h: 10 + 1 > 10", eleventh.path("error").path("message").asText());
  }

  /**
   * A policy that needs two of three approvers: a job without approvals is refused; the dry run
   * gives the digest the approvers sign; the same job with their signatures is signed.
   */
  @Test
  void approvalsAttachedToAJob_areCheckedInTheEnclave() throws Exception {
    SecretKey[] approvers = new SecretKey[3];
    String[] xOnly = new String[3];
    for (int i = 0; i < 3; i++) {
      byte[] k = new byte[32];
      k[31] = (byte) (40 + i);
      approvers[i] = SecretKey.adopt(k);
      xOnly[i] = ENGINE.publicKey(approvers[i]).xOnly().toHex();
    }
    stack.createTenant("t-approve", "api-key-for-the-approvals-test");
    stack.createKey("approved-key", "t-approve", EnclaveRequest.KeySpec.DEFAULT, ("""
        {"version": 1, "rule": {"id": "root", "all": [
          {"id": "kinds", "type": "allowed_kinds", "kinds": ["message"]},
          {"id": "two-of-three", "type": "approvals", "threshold": 2,
           "approvers": {"alice": "%s", "bob": "%s", "carol": "%s"}}]}}
        """.formatted(xOnly[0], xOnly[1], xOnly[2])));
    JobsClient client = new JobsClient(stack.apiUrl(), "api-key-for-the-approvals-test");

    JsonNode unapproved = finished(client, submit(client, messageJob("approved-key", 1, null)));
    assertEquals("REJECTED", unapproved.path("status").asText());
    assertEquals("policy rule 'two-of-three': approvals: 0 valid, 2 required",
        unapproved.path("error").path("message").asText());

    JsonNode dryRun = client.evaluate(messageJob("approved-key", 1, null)).body();
    String digest = dryRun.path("result").path("approvalDigest").asText();
    Message toSign = Message.of(Hex.decode("approvalDigest", digest));
    String approvals = "[{\"approver\":\"alice\",\"signature\":\"" + ENGINE.signSchnorr(toSign, approvers[0], new byte[32]).toHex()
        + "\"},{\"approver\":\"carol\",\"signature\":\"" + ENGINE.signSchnorr(toSign, approvers[2], new byte[32]).toHex()
        + "\"}]";
    JsonNode approved = finished(client, submit(client, messageJob("approved-key", 1, approvals)));
    assertEquals("SIGNED", approved.path("status").asText(), approved.toString());

    // Approvals are for exactly what they name: another message with the same approvals is refused.
    JsonNode other = finished(client, submit(client, messageJob("approved-key", 2, approvals)));
    assertEquals("REJECTED", other.path("status").asText());
    assertTrue(other.path("error").path("message").asText().startsWith("policy rule 'two-of-three': approvals: 0 valid"),
        other.toString());
  }

  private static String psbtJob(String keyId, String psbt) {
    ObjectNode body = Json.MAPPER.createObjectNode().put("keyId", keyId).put("kind", "psbt").put("network", "testnet")
        .put("psbt", psbt);
    return Json.write(body);
  }

  private static String messageJob(String keyId, int n, String approvalsJson) {
    return "{\"keyId\":\"" + keyId + "\",\"kind\":\"message\",\"message\":\""
        + Hex.encode(("policy test message " + n).getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "\""
        + (approvalsJson == null ? "" : ",\"approvals\":" + approvalsJson) + "}";
  }

  private static String submit(JobsClient client, String body) throws Exception {
    JobsClient.Answer answer = client.submit(body);
    assertEquals(202, answer.status(), answer.body().toString());
    return answer.body().get("jobId").asText();
  }

  private static JsonNode finished(JobsClient client, String jobId) {
    return Await.until("job " + jobId + " to finish", Duration.ofSeconds(60), () -> {
      try {
        return client.get(jobId).body();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, v -> v.path("status").asText().matches("SIGNED|REJECTED|FAILED"));
  }

  private static Map<String, AttributeValue> audit(String jobId) {
    return stack.dynamo().getItem(b -> b.tableName(stack.table(Tables.AUDIT))
        .key(Map.of("jobId", AttributeValue.fromS(jobId))).consistentRead(true)).item();
  }

}
