package dev.keep.local.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.local.demo.Demo;
import dev.keep.local.demo.JobsClient;
import dev.keep.local.stack.LocalStack;
import dev.keep.local.stack.Provisioning;
import dev.keep.local.verify.Bip340Verifier;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.tables.Tables;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The whole pipeline on real parts: HTTP → Lambda handler → DynamoDB (moto) + ElasticMQ → worker →
 * enclave process (loopback TCP) → DynamoDB, with signatures checked by an independent verifier.
 */
class PipelineSystemTest {
  private static LocalStack stack;

  @BeforeAll
  static void start() throws Exception {
    // Defaults, as keep demo starts it: the stack runs and stops a moto server of its own.
    stack = LocalStack.start(LocalStack.Options.defaults());
  }

  @AfterAll
  static void stop() {
    java.nio.file.Path run = stack.runDirectory();
    stack.close();
    // Issue #14: the NSM root's key lived on in /tmp/keep-nitro-*; now it is under $KEEP_HOME and deleted.
    assertTrue(run.startsWith(dev.keep.local.stack.RunDirectory.keepHome()), run.toString());
    assertTrue(!java.nio.file.Files.exists(run), run + " is deleted when the stack stops");
  }

  private static int count(String table) {
    return stack.dynamo().scan(b -> b.tableName(table).select("COUNT").consistentRead(true)).count();
  }

  @Test
  void fiftyJobsAllSignedVerifiedAndAuditedOnce() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Demo demo = new Demo(new PrintStream(printed, true, StandardCharsets.UTF_8));
    Demo.Report report = demo.run(stack, 50, Duration.ofMinutes(2));
    demo.print(report);
    List<String> problems = new ArrayList<>();
    for (Demo.Outcome job : report.jobs()) {
      if (!"SIGNED".equals(job.status()) || !job.verified()) {
        problems.add(job.jobId() + " " + job.status() + " " + job.problem());
      }
      Map<String, AttributeValue> audit = stack.dynamo().getItem(b -> b.tableName(stack.table(Tables.AUDIT))
          .key(Map.of("jobId", AttributeValue.fromS(job.jobId()))).consistentRead(true)).item();
      if (audit == null || audit.isEmpty() || !"SIGNED".equals(audit.get("decision").s())) {
        problems.add(job.jobId() + " has no SIGNED audit record: " + audit);
      }
    }
    assertEquals(List.of(), problems, printed.toString(StandardCharsets.UTF_8));
    assertEquals(50, report.jobs().size());
    assertEquals(List.of("psbt p2tr", "psbt p2wpkh"), report.psbts().stream().map(Demo.Outcome::kind).toList());
    assertTrue(report.allSignedAndVerified(), printed.toString(StandardCharsets.UTF_8));
    // Issue 18: the demo's receiver got an event for every job that ended, and the batch's, each
    // verified; the one it failed at first came again, with the same webhook-id.
    assertTrue(report.webhooks().complete(), printed.toString(StandardCharsets.UTF_8));
    assertEquals(1, report.webhooks().events().stream().filter(e -> e.attempts() == 2).count(),
        printed.toString(StandardCharsets.UTF_8));
    assertEquals(1, report.webhooks().events().stream().filter(e -> "batch.completed".equals(e.type())).count());
    // Issue 19: exported with an auditor's key (whose POST was refused), verified offline against this
    // build's PCRs, every chain's tail under a checkpoint, and a receipt removed is caught.
    assertTrue(report.audit().passed(), printed.toString(StandardCharsets.UTF_8));
    assertTrue(report.audit().summary().receipts() >= 50 + 2 + 200, printed.toString(StandardCharsets.UTF_8));
    assertTrue(report.audit().summary().decisions().keySet().containsAll(List.of("SIGNED", "REJECTED", "EVALUATED")),
        report.audit().summary().decisions().toString());
    assertTrue(report.audit().tamperCaught().contains("missing: the chain has a gap"), report.audit().tamperCaught());
    // Every job's audit record carries its receipt.
    for (Demo.Outcome job : report.jobs()) {
      Map<String, AttributeValue> record = stack.dynamo().getItem(b -> b.tableName(stack.table(Tables.AUDIT))
          .key(Map.of("jobId", AttributeValue.fromS(job.jobId())))).item();
      assertTrue(record.containsKey("receipt"), job.jobId() + ": " + record);
    }
    // The audit table is keyed by job id and written with a not-exists condition: one record per job.
    assertTrue(count(stack.table(Tables.AUDIT)) >= 50);
  }

  @Test
  void aKeyTheEnclaveDoesNotHoldEndsRejectedOnceAndIsNotRetried() throws Exception {
    stack.createTenant("t-missing", "api-key-for-missing-key-test");
    // The keys table says the key exists, but the enclave never generated it.
    Provisioning.registerKey(stack.dynamo(), stack.table(Tables.KEYS), "ghost-key", "t-missing", "11".repeat(32));
    JobsClient client = new JobsClient(stack.apiUrl(), "api-key-for-missing-key-test");
    JobsClient.Answer submitted = client.submit("{\"keyId\":\"ghost-key\",\"kind\":\"message\",\"message\":\"00\"}");
    assertEquals(202, submitted.status());
    String jobId = submitted.body().get("jobId").asText();
    JsonNode view = Await.until("job " + jobId + " to end", Duration.ofSeconds(60), () -> get(client, jobId),
        v -> v.path("status").asText().matches("SIGNED|REJECTED|FAILED"));
    assertEquals("REJECTED", view.get("status").asText());
    assertEquals("KEY_NOT_FOUND", view.path("error").path("code").asText());
    assertEquals(1, view.get("attempts").asInt(), "a terminal enclave error is not retried");
    Map<String, AttributeValue> audit = stack.dynamo().getItem(b -> b.tableName(stack.table(Tables.AUDIT))
        .key(Map.of("jobId", AttributeValue.fromS(jobId))).consistentRead(true)).item();
    assertEquals("REJECTED", audit.get("decision").s());
    assertTrue(audit.get("reason").s().startsWith("KEY_NOT_FOUND"), audit.get("reason").s());
  }

  /**
   * Issue 19: a signature the enclave released that no worker stored (here an operator's direct
   * request; equally a worker killed between the answer and its write) leaves a gap in the
   * tenant's chain until the next checkpoint's repair asks the enclave for it and writes it.
   */
  @Test
  void aReceiptNoWorkerStoredIsFilledFromTheEnclave_andTheChainVerifies() throws Exception {
    stack.createTenant("t-gap", "api-key-for-the-gap-test-0001");
    stack.createAuditorKey("t-gap", "api-key-for-the-gap-auditor-1");
    stack.createKey("gap-key", "t-gap");
    JobsClient client = new JobsClient(stack.apiUrl(), "api-key-for-the-gap-test-0001");
    String first = client.submit("{\"keyId\":\"gap-key\",\"kind\":\"message\",\"message\":\"01\"}").body()
        .get("jobId").asText();
    Await.until("job " + first + " to end", Duration.ofSeconds(60), () -> get(client, first),
        v -> v.path("status").asText().equals("SIGNED"));
    // Seq 2 of the chain: signed and released, never stored by a worker.
    var unstored = stack.operatorSealer().call(new dev.keep.schema.protocol.EnclaveRequest.SignMessage(
        java.util.UUID.randomUUID().toString(), "gap-key", "02", "bip340", null));
    assertTrue(unstored instanceof dev.keep.schema.protocol.EnclaveResponse.SchnorrSigned, unstored.toString());
    String third = client.submit("{\"keyId\":\"gap-key\",\"kind\":\"message\",\"message\":\"03\"}").body()
        .get("jobId").asText();
    Await.until("job " + third + " to end", Duration.ofSeconds(60), () -> get(client, third),
        v -> v.path("status").asText().equals("SIGNED"));
    java.nio.file.Path export = stack.runDirectory().resolve("gap-audit.jsonl");
    dev.keep.local.audit.AuditVerifier verifier = new dev.keep.local.audit.AuditVerifier(
        dev.keep.schema.attestation.AttestationVerifier.builder()
            .trustedRoot(dev.keep.schema.attestation.TrustedRoot.local(java.nio.file.Files.readAllBytes(
                stack.attestationRootPem())))
            .pcrs(dev.keep.schema.attestation.PcrPolicy.insecureNoCheck()).build());
    // Until the repair (10 s after the chain's checkpoint, locally) the export shows the gap.
    var summary = Await.until("the gap to be filled", Duration.ofSeconds(60), () -> {
      try {
        new dev.keep.local.cli.AuditExportCli(System.out).export(stack.apiUrl(), "api-key-for-the-gap-auditor-1", null,
            null, export);
        return java.util.Optional.of(verifier.verify(export));
      } catch (dev.keep.local.audit.AuditVerifier.Failure e) {
        return java.util.Optional.<dev.keep.local.audit.AuditVerifier.Summary>empty();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, java.util.Optional::isPresent).orElseThrow();
    // Three jobs; the third may have two receipts: the operator's signature charged the key's state,
    // so the worker's first decision of it was on a state no longer stored, and it was decided again.
    assertEquals(3, summary.jobs(), summary.toString());
    assertEquals(summary.receipts(), summary.decisions().get("SIGNED"), summary.toString());
    assertTrue(stack.workers().stream().mapToLong(w -> w.audit().repairedReceipts()).sum() >= 1);

    // An enclave restart is a new boot: a new audit key, a new chain from seq 1, and both verify.
    stack.enclaveProcess().kill();
    stack.startEnclave();
    String fourth = client.submit("{\"keyId\":\"gap-key\",\"kind\":\"message\",\"message\":\"04\"}").body()
        .get("jobId").asText();
    Await.until("job " + fourth + " to end", Duration.ofSeconds(90), () -> get(client, fourth),
        v -> v.path("status").asText().equals("SIGNED"));
    var twoBoots = Await.until("the new boot's chain in the export", Duration.ofSeconds(60), () -> {
      try {
        new dev.keep.local.cli.AuditExportCli(System.out).export(stack.apiUrl(), "api-key-for-the-gap-auditor-1", null,
            null, export);
        return verifier.verify(export);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, s -> s.jobs() == 4);
    assertEquals(2, twoBoots.boots(), twoBoots.toString());
    assertEquals(2, twoBoots.chains(), twoBoots.toString());
  }

  @Test
  void badInputOverHttpIs422And400And401And404AndStoresNothing() throws Exception {
    stack.createTenant("t-bad", "api-key-for-bad-input-test");
    stack.createTenant("t-other", "api-key-for-other-tenant-x");
    stack.createKey("bad-input-key", "t-bad");
    JobsClient client = new JobsClient(stack.apiUrl(), "api-key-for-bad-input-test");
    int jobsBefore = count(stack.table(Tables.JOBS));
    JobsClient.Answer nonHex = client.submit("{\"keyId\":\"bad-input-key\",\"kind\":\"message\",\"message\":\"xyz1\"}");
    assertEquals(422, nonHex.status());
    assertEquals("message", nonHex.body().path("errors").path(0).path("field").asText());
    JobsClient.Answer wrongKind = client.submit("{\"keyId\":\"bad-input-key\",\"kind\":\"wire_money\",\"message\":\"00\"}");
    assertEquals("kind", wrongKind.body().path("errors").path(0).path("field").asText());
    JobsClient.Answer unknownKey = client.submit("{\"keyId\":\"nobody\",\"kind\":\"message\",\"message\":\"00\"}");
    assertEquals("keyId", unknownKey.body().path("errors").path(0).path("field").asText());
    JobsClient.Answer malformed = client.submit("{\"keyId\":");
    assertEquals(400, malformed.status());
    assertEquals(jobsBefore, count(stack.table(Tables.JOBS)), "a rejected body stores nothing");

    assertEquals(401, new JobsClient(stack.apiUrl(), "wrong-api-key-0000000000").submit("{}").status());
    String jobId = client.submit("{\"keyId\":\"bad-input-key\",\"kind\":\"message\",\"message\":\"00\"}").body().get("jobId").asText();
    assertEquals(404, new JobsClient(stack.apiUrl(), "api-key-for-other-tenant-x").get(jobId).status());
  }

  @Test
  void aMessageInTheDeadLetterQueueFailsItsJobWithTheReason() throws Exception {
    stack.createTenant("t-dlq", "api-key-for-dead-letter-test");
    stack.createKey("dlq-key", "t-dlq");
    // A job stored by the API whose deliveries all failed: its message sits in the DLQ.
    new dev.keep.api.jobs.JobRepository(stack.dynamo(), stack.table(Tables.JOBS), stack.table(Tables.KEYS))
        .create(dev.keep.api.jobs.JobRepository.NewJob.single("dlq-job-1", "t-dlq", "dlq-key", "message",
            "{\"kind\":\"message\",\"keyId\":\"dlq-key\",\"message\":\"00\"}", java.time.Instant.now()));
    stack.sqs().sendMessage(b -> b.queueUrl(stack.queues().deadLetterQueueUrl()).messageBody(
        "{\"v\":1,\"jobId\":\"dlq-job-1\",\"tenantId\":\"t-dlq\",\"enqueuedAt\":\"2026-11-24T12:00:00Z\"}"));
    JobsClient client = new JobsClient(stack.apiUrl(), "api-key-for-dead-letter-test");
    JsonNode view = Await.until("dlq-job-1 to fail", Duration.ofSeconds(60), () -> get(client, "dlq-job-1"),
        v -> v.path("status").asText().equals("FAILED"));
    assertEquals("DELIVERY_FAILED", view.path("error").path("code").asText());
  }

  @Test
  void digestJobsAreSignedOnlyForAKeyThatAllowsDigests() throws Exception {
    stack.createTenant("t-digest", "api-key-for-digest-test-1");
    String xOnly = stack.createKey("digest-key", "t-digest",
        new dev.keep.schema.protocol.EnclaveRequest.KeySpec("single", "testnet", true)).xOnly();
    stack.createKey("plain-key", "t-digest");
    JobsClient client = new JobsClient(stack.apiUrl(), "api-key-for-digest-test-1");
    String digest = "5c".repeat(32);
    String allowed = client.submit("{\"keyId\":\"digest-key\",\"kind\":\"digest\",\"digest\":\"" + digest + "\"}")
        .body().get("jobId").asText();
    String refused = client.submit("{\"keyId\":\"plain-key\",\"kind\":\"digest\",\"digest\":\"" + digest + "\"}")
        .body().get("jobId").asText();
    JsonNode signed = Await.until("digest job to finish", Duration.ofSeconds(30), () -> get(client, allowed),
        v -> v.path("status").asText().matches("SIGNED|REJECTED|FAILED"));
    assertEquals("SIGNED", signed.get("status").asText(), signed.toString());
    assertEquals(xOnly, signed.path("result").path("publicKey").asText());
    assertTrue(Bip340Verifier.verify(Hex.decode("pk", xOnly), Hex.decode("d", digest),
        Hex.decode("sig", signed.path("result").path("signature").asText())));
    JsonNode denied = Await.until("refused digest job to finish", Duration.ofSeconds(30), () -> get(client, refused),
        v -> v.path("status").asText().matches("SIGNED|REJECTED|FAILED"));
    assertEquals("REJECTED", denied.get("status").asText());
    assertEquals("POLICY_DENIED", denied.path("error").path("code").asText());
  }

  /**
   * The largest PSBT the API takes (65,536 base64 characters) is signed and its job, with the
   * request and a result that carries the signed PSBT and a line per input, fits one DynamoDB item.
   * A PSBT for another network is rejected by the enclave with the reason, and one that is not a
   * PSBT is rejected naming what is wrong.
   */
  @Test
  void psbtJobs_largestAccepted_wrongNetwork_andGarbage() throws Exception {
    stack.createTenant("t-psbt", "api-key-for-psbt-test-0001");
    String xOnly = stack.createKey("psbt-key", "t-psbt",
        new dev.keep.schema.protocol.EnclaveRequest.KeySpec("single", "testnet", false)).xOnly();
    JobsClient client = new JobsClient(stack.apiUrl(), "api-key-for-psbt-test-0001");

    String largest = LargePsbt.upTo(dev.keep.enclave.keys.XOnlyPublicKey.of(Hex.decode("x", xOnly)), 65_536);
    String big = submitPsbt(client, "psbt-key", largest, "testnet");
    String wrongNetwork = submitPsbt(client, "psbt-key", largest, "mainnet");
    String garbage = submitPsbt(client, "psbt-key", "cHNidP8BAAoCAAAAAAA=", "testnet"); // a truncated unsigned tx

    JsonNode signed = finished(client, big);
    assertEquals("SIGNED", signed.get("status").asText(), signed.toString().substring(0, Math.min(2000, signed.toString().length())));
    JsonNode summary = signed.path("result").path("summary");
    assertEquals(signed.path("result").path("inputs").size(), summary.path("signedInputs").asInt());
    assertTrue(summary.path("signedInputs").asInt() > 400, summary.toString());

    JsonNode relabel = finished(client, wrongNetwork);
    assertEquals("REJECTED", relabel.get("status").asText());
    assertEquals("INVALID_REQUEST", relabel.path("error").path("code").asText());
    assertTrue(relabel.path("error").path("message").asText().contains("does not relabel"), relabel.toString());

    JsonNode bad = finished(client, garbage);
    assertEquals("REJECTED", bad.get("status").asText());
    assertTrue(bad.path("error").path("message").asText().startsWith("psbt: global, PSBT_GLOBAL_UNSIGNED_TX"), bad.toString());
  }

  private static String submitPsbt(JobsClient client, String keyId, String psbt, String network) throws Exception {
    JobsClient.Answer answer = client.submit("{\"keyId\":\"" + keyId + "\",\"kind\":\"psbt\",\"psbt\":\"" + psbt
        + "\",\"network\":\"" + network + "\"}");
    assertEquals(202, answer.status(), answer.body().toString());
    return answer.body().get("jobId").asText();
  }

  private static JsonNode finished(JobsClient client, String jobId) {
    return Await.until("job " + jobId + " to finish", Duration.ofSeconds(60), () -> get(client, jobId),
        v -> v.path("status").asText().matches("SIGNED|REJECTED|FAILED"));
  }

  private static JsonNode get(JobsClient client, String jobId) {
    try {
      return client.get(jobId).body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
