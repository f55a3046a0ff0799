package dev.keep.local.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.local.demo.JobsClient;
import dev.keep.local.stack.LocalKms;
import dev.keep.local.stack.LocalStack;
import dev.keep.schema.attestation.AttestationVerifier;
import dev.keep.schema.attestation.Nonce;
import dev.keep.schema.attestation.Pcr;
import dev.keep.schema.attestation.PcrPolicy;
import dev.keep.schema.attestation.PcrSet;
import dev.keep.schema.attestation.VerifiedAttestation;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.tables.Tables;
import dev.keep.worker.enclave.EnclaveClient;
import dev.keep.worker.sealing.KeySealer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The deployment guide's checklist in local mode, on production's code paths: an enclave process
 * with a software NSM, the KMS endpoint with a key policy pinning this build's PCRs, sealed blobs
 * in the DynamoDB {@code keys} table, workers that unseal through KMS with the enclave's
 * attestation as {@code Recipient}.
 */
class SealingSystemTest {
  private static LocalStack stack;

  @BeforeAll
  static void start() throws Exception {
    stack = LocalStack.start(TestStacks.onSharedMoto(SealingSystemTest.class));
    stack.createTenant("t-seal", "api-key-for-the-sealing-test");
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @Test
  void theChecklist(@TempDir Path dir) throws Exception {
    // Runs without debug mode, and attestation passes against the expected PCRs.
    SortedMap<Integer, byte[]> build = LocalKms.thisBuildPcrs();
    PcrSet expected = PcrSet.of(Pcr.of(build.get(0)), Pcr.of(build.get(1)), Pcr.of(build.get(2)));
    Nonce nonce = Nonce.of(Hex.decode("n", "6b6565702d636865636b6c697374"));
    EnclaveResponse.Attestation attestation;
    try (EnclaveClient operator = new EnclaveClient(stack.enclaveAddress(), 1, Duration.ofSeconds(30))) {
      attestation = assertInstanceOf(EnclaveResponse.Attestation.class,
          operator.call(new EnclaveRequest.Attest(nonce.hex())));
    }
    VerifiedAttestation verified = AttestationVerifier.builder().trustedRoot(stack.attestationRoot())
        .pcrs(PcrPolicy.anyOf(expected)).expectedNonce(nonce).requirePublicKey(true).build()
        .verify(Base64.getDecoder().decode(attestation.document()));
    assertFalse(verified.debugMode());

    // KMS works with real PCRs: a key is generated, sealed and stored; signing works.
    var key = stack.createKey("sealed-key", "t-seal", new EnclaveRequest.KeySpec("single", "testnet", false), ("""
        {"version": 1, "rule": {"id": "root", "all": [
          {"id": "kinds", "type": "allowed_kinds", "kinds": ["message"]},
          {"id": "MaxPerHour", "type": "max_count", "window": "1h", "count": 3}]}}
        """));
    Map<String, AttributeValue> row = keysRow("sealed-key");
    assertEquals("t-seal", row.get("tenantId").s());
    assertTrue(row.containsKey("sealedKey") && row.containsKey("sealedState"), row.keySet().toString());
    JobsClient client = new JobsClient(stack.apiUrl(), "api-key-for-the-sealing-test");
    JsonNode first = finished(client, submit(client, message("sealed-key", 1)));
    assertEquals("SIGNED", first.path("status").asText(), first.toString());
    assertEquals(key.xOnly(), first.path("result").path("publicKey").asText());
    assertEquals("SIGNED", finished(client, submit(client, message("sealed-key", 2))).path("status").asText());

    // The policy is enforced: a kind it does not allow is refused.
    JsonNode denied = finished(client, submit(client,
        "{\"keyId\":\"sealed-key\",\"kind\":\"digest\",\"digest\":\"" + "ab".repeat(32) + "\"}"));
    assertEquals("REJECTED", denied.path("status").asText(), denied.toString());
    assertEquals("POLICY_DENIED", denied.path("error").path("code").asText());

    // Keys survive a restart: kill the enclave, start a new one (a new RSA key, no keys held). The
    // worker unseals when a job finds the key missing; the public key and the charges are the same.
    stack.enclaveProcess().close();
    stack.startEnclave();
    JsonNode third = finished(client, submit(client, message("sealed-key", 3)));
    assertEquals("SIGNED", third.path("status").asText(), third.toString());
    assertEquals(key.xOnly(), third.path("result").path("publicKey").asText());
    JsonNode fourth = finished(client, submit(client, message("sealed-key", 4)));
    assertEquals("REJECTED", fourth.path("status").asText(), "3 per hour, charged before the restart too: " + fourth);
    assertEquals("policy rule 'MaxPerHour': max_count 1h: 3 + 1 > 3", fourth.path("error").path("message").asText());

    // A sealed blob moved to another key id does not open: KMS refuses the other encryption context.
    stack.dynamo().putItem(b -> b.tableName(stack.table(Tables.KEYS)).item(Map.of(
        "keyId", AttributeValue.fromS("moved-key"), "tenantId", AttributeValue.fromS("t-seal"),
        "sealedKey", row.get("sealedKey"))));
    KeySealer.UnsealReport moved = stack.operatorSealer().unsealAll();
    assertEquals(1, moved.failures().size(), moved.toString());
    assertEquals("moved-key", moved.failures().get(0).keyId());
    assertTrue(moved.failures().get(0).reason().contains("InvalidCiphertextException"), moved.toString());
    stack.dynamo().deleteItem(b -> b.tableName(stack.table(Tables.KEYS)).key(Map.of("keyId", AttributeValue.fromS("moved-key"))));

    // Wrong PCRs fail to decrypt: an enclave whose build measures differently gets AccessDenied,
    // the worker says which PCRs it presented and does not start, and no sealed blob changes.
    Map<String, AttributeValue> before = keysRow("sealed-key");
    Path otherBuild = dir.resolve("other-build.jar");
    Files.writeString(otherBuild, "not the reviewed enclave build");
    stack.enclaveProcess().close();
    stack.startEnclave(List.of("--image", otherBuild.toString()));
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> stack.startWorker("worker-other-pcrs"));
    assertTrue(refused.getMessage().contains("AccessDeniedException"), refused.getMessage());
    assertTrue(refused.getMessage().contains("PCR0=" + Hex.encode(sha384(otherBuild))), refused.getMessage());
    assertEquals(before, keysRow("sealed-key"));

    // Back on the reviewed build, the same blobs open again.
    stack.enclaveProcess().close();
    stack.startEnclave();
    assertTrue(stack.operatorSealer().unsealAll().complete());
  }

  private static byte[] sha384(Path file) throws Exception {
    return java.security.MessageDigest.getInstance("SHA-384").digest(Files.readAllBytes(file));
  }

  private static Map<String, AttributeValue> keysRow(String keyId) {
    return stack.dynamo().getItem(b -> b.tableName(stack.table(Tables.KEYS))
        .key(Map.of("keyId", AttributeValue.fromS(keyId))).consistentRead(true)).item();
  }

  private static String message(String keyId, int n) {
    return "{\"keyId\":\"" + keyId + "\",\"kind\":\"message\",\"message\":\""
        + Hex.encode(("sealing test message " + n).getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "\"}";
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

}
