package dev.keep.schema.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.keep.schema.encoding.ContractSchema;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.encoding.SchemaViolation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContractSchemaTest {

  @Test
  void validMessageJobBindsToItsRecord() throws Exception {
    var node = ContractSchema.JOB_REQUEST.parse("{\"keyId\":\"k-1\",\"kind\":\"message\",\"message\":\"00ff\"}");
    JobRequest request = Json.MAPPER.treeToValue(node, JobRequest.class);
    JobRequest.Message message = assertInstanceOf(JobRequest.Message.class, request);
    assertEquals("k-1", message.keyId());
    assertEquals("00ff", message.message());
    assertEquals("{\"kind\":\"message\",\"keyId\":\"k-1\",\"message\":\"00ff\"}", Json.write(request));
  }

  @Test
  void nostrEventAndDigestJobsBindToTheirRecords() throws Exception {
    String event = "{\"pubkey\":\"" + "ab".repeat(32) + "\",\"created_at\":1700000000,\"kind\":1,\"tags\":[[\"t\",\"x\"]],\"content\":\"hi\"}";
    JobRequest e = Json.MAPPER.treeToValue(ContractSchema.JOB_REQUEST.parse(
        "{\"keyId\":\"k\",\"kind\":\"nostr_event\",\"event\":" + event + "}"), JobRequest.class);
    assertEquals(event, Json.write(assertInstanceOf(JobRequest.NostrEvent.class, e).event()));
    JobRequest d = Json.MAPPER.treeToValue(ContractSchema.JOB_REQUEST.parse(
        "{\"keyId\":\"k\",\"kind\":\"digest\",\"digest\":\"" + "cd".repeat(32) + "\",\"scheme\":\"ecdsa\",\"path\":\"m/0'/1\"}"), JobRequest.class);
    JobRequest.Digest digest = assertInstanceOf(JobRequest.Digest.class, d);
    assertEquals("ecdsa", digest.scheme());
    assertEquals("m/0'/1", digest.path());
  }

  @Test
  void emptyMessageIsAllowed() throws Exception {
    ContractSchema.JOB_REQUEST.parse("{\"keyId\":\"k\",\"kind\":\"message\",\"message\":\"\"}");
  }

  /** Each bad body is refused with the field it is about. */
  @Test
  void badBodiesNameTheField() {
    String[][] cases = {
      {"{\"kind\":\"message\",\"message\":\"00\"}", "keyId", "keyId: is required"},
      {"{\"keyId\":\"k\",\"message\":\"00\"}", "kind", "kind: is required"},
      {"{\"keyId\":\"k\",\"kind\":\"message\"}", "message", "message: is required"},
      {"{\"keyId\":\"k\",\"kind\":\"message\",\"message\":\"0g\"}", "message", "message: must be an even number of hex digits"},
      {"{\"keyId\":\"k\",\"kind\":\"message\",\"message\":\"abc\"}", "message", "message: must be an even number of hex digits"},
      {"{\"keyId\":\"k\",\"kind\":\"launch\",\"message\":\"00\"}", "kind", "kind: must be one of [message, nostr_event, digest, psbt]"},
      {"{\"keyId\":\"has space\",\"kind\":\"message\",\"message\":\"00\"}", "keyId", null},
      {"{\"keyId\":7,\"kind\":\"message\",\"message\":\"00\"}", "keyId", null},
      {"{\"keyId\":\"k\",\"kind\":\"message\",\"message\":\"00\",\"amount\":1}", "amount", "amount: is not a known field"},
      {"{\"keyId\":\"k\",\"kind\":\"digest\"}", "digest", "digest: is required"},
      {"{\"keyId\":\"k\",\"kind\":\"digest\",\"digest\":\"00\"}", "digest", null},
      {"{\"keyId\":\"k\",\"kind\":\"message\",\"message\":\"00\",\"scheme\":\"rsa\"}", "scheme", null},
      {"{\"keyId\":\"k\",\"kind\":\"message\",\"message\":\"00\",\"path\":\"m/x\"}", "path", null},
      {"{\"keyId\":\"k\",\"kind\":\"nostr_event\"}", "event", "event: is required"},
      {"{\"keyId\":\"k\",\"kind\":\"message\",\"message\":\"00\",\"approvals\":{}}", "approvals", null},
      {"{\"keyId\":\"k\",\"kind\":\"message\",\"message\":\"00\",\"approvals\":[{\"approver\":\"a\"}]}",
          "approvals[0].signature", null},
      {"{\"keyId\":\"k\",\"kind\":\"message\",\"message\":\"00\",\"approvals\":[{\"approver\":\"a b\","
          + "\"signature\":\"" + "00".repeat(64) + "\"}]}", "approvals[0].approver", null},
      {"{\"keyId\":\"k\",\"kind\":\"nostr_event\",\"event\":{\"pubkey\":\"" + "ab".repeat(32) + "\",\"created_at\":1,\"kind\":1,\"tags\":[]}}", "event.content", null},
      {"{\"keyId\":\"k\",\"kind\":\"nostr_event\",\"event\":{\"pubkey\":\"" + "ab".repeat(32) + "\",\"created_at\":\"1\",\"kind\":1,\"tags\":[],\"content\":\"\"}}", "event.created_at", null},
      {"{\"keyId\":\"k\",\"kind\":\"nostr_event\",\"event\":{\"pubkey\":\"" + "ab".repeat(32) + "\",\"created_at\":1,\"kind\":1,\"tags\":[[1]],\"content\":\"\"}}", "event.tags[0][0]", null},
      {"{\"keyId\":\"k\",\"kind\":\"message\",\"message\":\"00\",\"digest\":\"" + "ab".repeat(32) + "\"}", "digest",
          "digest: is not allowed in a 'message' job (a message job signs 'message')"},
      {"{\"keyId\":\"k\",\"kind\":\"psbt\",\"network\":\"testnet\"}", "psbt", "psbt: is required"},
      {"{\"keyId\":\"k\",\"kind\":\"psbt\",\"psbt\":\"cHNidP8B\"}", "network", "network: is required"},
      {"{\"keyId\":\"k\",\"kind\":\"psbt\",\"psbt\":\"cHNidP8B\",\"network\":\"bitcoin\"}", "network", null},
      {"{\"keyId\":\"k\",\"kind\":\"psbt\",\"psbt\":\"not base64!\",\"network\":\"testnet\"}", "psbt", null},
      {"{\"keyId\":\"k\",\"kind\":\"psbt\",\"psbt\":\"cHNidP8\",\"network\":\"testnet\"}", "psbt", null},
      {"{\"keyId\":\"k\",\"kind\":\"psbt\",\"psbt\":\"" + "A".repeat(65_540) + "\",\"network\":\"testnet\"}", "psbt", null},
      {"{\"keyId\":\"k\",\"kind\":\"psbt\",\"psbt\":\"cHNidP8B\",\"network\":\"testnet\",\"path\":\"m/0\"}", "path",
          "path: is not allowed in a 'psbt' job (a psbt job signs 'psbt'; each input's path comes from the PSBT's own derivation data)"},
      {"{\"keyId\":\"k\",\"kind\":\"message\",\"message\":\"00\",\"network\":\"testnet\"}", "network", null},
      // Keep's JSON rules, which JSON Schema cannot state.
      {"{\"keyId\":\"nope\",\"keyId\":\"k\",\"kind\":\"message\",\"message\":\"00\"}", "keyId",
          "keyId: body is not valid JSON: duplicate key 'keyId' at line 1, column 24; a key may appear once per object"},
      {"{\"keyId\":\"k\",\"kind\":\"nostr_event\",\"event\":{\"tags\":[[\"a\"],{\"x\":1,\"x\":2}]}}", "event.tags[1].x", null},
      {"{\"keyId\":\"k\",\"kind\":\"nostr_event\",\"event\":{\"pubkey\":\"" + "ab".repeat(32) + "\",\"created_at\":1.0,\"kind\":1,\"tags\":[],\"content\":\"\"}}",
          "event.created_at", "event.created_at: must be an integer written without a fraction or exponent"},
      {"{\"keyId\":\"k\",\"kind\":\"nostr_event\",\"event\":{\"pubkey\":\"" + "ab".repeat(32) + "\",\"created_at\":1e3,\"kind\":1,\"tags\":[],\"content\":\"\"}}",
          "event.created_at", null},
      {"{\"keyId\":\"k\",\"kind\":\"nostr_event\",\"event\":{\"pubkey\":\"" + "ab".repeat(32) + "\",\"created_at\":1,\"kind\":1,\"tags\":[],\"content\":\"caf\\ud800\"}}",
          "event.content", "event.content: has an unpaired UTF-16 surrogate at character 3; strings must be Unicode text (RFC 8259 §8.2)"},
      {"{\"keyId\":\"k\",\"kind\":\"nostr_event\",\"event\":{\"pubkey\":\"" + "ab".repeat(32) + "\",\"created_at\":1,\"kind\":1,\"tags\":[[\"t\",\"\\udc00x\"]],\"content\":\"\"}}",
          "event.tags[0][1]", null},
      {"[1,2]", "", null},
      {"{not json", "", null},
      {"", "", null},
    };
    List<String> failures = new ArrayList<>();
    for (String[] c : cases) {
      try {
        ContractSchema.JOB_REQUEST.parse(c[0]);
        failures.add("accepted " + c[0]);
      } catch (SchemaViolation e) {
        if (!e.field().equals(c[1])) {
          failures.add(c[0] + " → field '" + e.field() + "' (" + e.getMessage() + "), expected '" + c[1] + "'");
        } else if (c[2] != null && !e.getMessage().equals(c[2])) {
          failures.add(c[0] + " → message '" + e.getMessage() + "', expected '" + c[2] + "'");
        }
      }
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void psbtBodiesAreAccepted_withOrWithoutFinalize() throws Exception {
    ContractSchema.JOB_REQUEST.parse("{\"keyId\":\"k\",\"kind\":\"psbt\",\"psbt\":\"cHNidP8B\",\"network\":\"testnet\"}");
    var request = Json.MAPPER.treeToValue(ContractSchema.JOB_REQUEST.parse(
        "{\"keyId\":\"k\",\"kind\":\"psbt\",\"psbt\":\"cHNidP8B\",\"network\":\"signet\",\"finalize\":true}"),
        JobRequest.class);
    assertEquals(new JobRequest.Psbt("k", "cHNidP8B", "signet", true), request);
    assertEquals("{\"kind\":\"psbt\",\"keyId\":\"k\",\"psbt\":\"cHNidP8B\",\"network\":\"signet\",\"finalize\":true}",
        Json.write(request));
  }

  @Test
  void tooLongMessageIsRefused() {
    String big = "00".repeat(65_537);
    try {
      ContractSchema.JOB_REQUEST.parse("{\"keyId\":\"k\",\"kind\":\"message\",\"message\":\"" + big + "\"}");
      throw new AssertionError("accepted a 65537-byte message");
    } catch (SchemaViolation e) {
      assertEquals("message", e.field());
    }
  }

  @Test
  void signingMessageSchemaAcceptsWhatTheApiSends() throws Exception {
    var message = dev.keep.schema.queue.SigningMessage.of("job-1", "tenant-1", "2026-11-24T10:00:00Z");
    ContractSchema.SIGNING_MESSAGE.parse(Json.write(message));
    assertEquals("{\"v\":1,\"jobId\":\"job-1\",\"tenantId\":\"tenant-1\",\"enqueuedAt\":\"2026-11-24T10:00:00Z\"}", Json.write(message));
  }

  /** Issue #14: the queue is a boundary too; a message naming two jobs is not one of them. */
  @Test
  void aSigningMessageWithAKeyTwice_orAFractionalVersion_isRefused() {
    SchemaViolation twice = org.junit.jupiter.api.Assertions.assertThrows(SchemaViolation.class, () ->
        ContractSchema.SIGNING_MESSAGE.parse("{\"v\":1,\"jobId\":\"job-1\",\"jobId\":\"job-2\",\"tenantId\":\"t\","
            + "\"enqueuedAt\":\"2026-11-24T10:00:00Z\"}"));
    assertEquals("jobId", twice.field());
    SchemaViolation version = org.junit.jupiter.api.Assertions.assertThrows(SchemaViolation.class, () ->
        ContractSchema.SIGNING_MESSAGE.parse("{\"v\":1.0,\"jobId\":\"job-1\",\"tenantId\":\"t\","
            + "\"enqueuedAt\":\"2026-11-24T10:00:00Z\"}"));
    assertEquals("v", version.field());
  }

  /** Approvals ride on any job kind; the body and the enclave request they become are pinned. */
  @Test
  void approvalsBindAndBecomeTheEnclaveRequestsApprovals() throws Exception {
    String body = "{\"kind\":\"message\",\"keyId\":\"k\",\"message\":\"00ff\",\"approvals\":"
        + "[{\"approver\":\"alice\",\"signature\":\"" + "ab".repeat(64) + "\"}]}";
    JobRequest request = Json.MAPPER.treeToValue(ContractSchema.JOB_REQUEST.parse(body), JobRequest.class);
    assertEquals(body, Json.write(request));
    var sign = assertInstanceOf(dev.keep.schema.protocol.EnclaveRequest.SignMessage.class, request.toSignRequest("job-1"));
    assertEquals(List.of(new dev.keep.schema.protocol.EnclaveRequest.Approval("alice", "ab".repeat(64))), sign.approvals());
    assertEquals("job-1", sign.jobId());
  }

  /** The result of a dry run, as GET /v1/jobs/{id} and POST /v1/policy/evaluate show it. */
  @Test
  void policyDecisionResultIsPinned() throws Exception {
    JobResult result = new JobResult.PolicyEvaluation(false, "MaxAmountSats", "max_amount: 1,000,001 sats > 1,000,000", 1L,
        "11".repeat(32), "22".repeat(32), List.of(new dev.keep.schema.protocol.EnclaveResponse.PolicyTrace(
            "MaxAmountSats", "max_amount", "deny", "max_amount: 1,000,001 sats > 1,000,000")));
    String json = "{\"type\":\"policy_decision\",\"allowed\":false,\"ruleId\":\"MaxAmountSats\","
        + "\"reason\":\"max_amount: 1,000,001 sats > 1,000,000\",\"policyVersion\":1,\"policyHash\":\"" + "11".repeat(32)
        + "\",\"approvalDigest\":\"" + "22".repeat(32) + "\",\"trace\":[{\"ruleId\":\"MaxAmountSats\",\"type\":\"max_amount\","
        + "\"outcome\":\"deny\",\"detail\":\"max_amount: 1,000,001 sats > 1,000,000\"}]}";
    assertEquals(json, Json.write(result));
    assertEquals(result, Json.MAPPER.readValue(json, JobResult.class));
  }
}
