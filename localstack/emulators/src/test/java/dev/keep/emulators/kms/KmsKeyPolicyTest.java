package dev.keep.emulators.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keep.emulators.LocalAws;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.MalformedPolicyDocumentException;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/** DescribeKey, Get/PutKeyPolicy, and key policy evaluation, through the unmodified SDK. */
class KmsKeyPolicyTest {
  private static final SdkBytes SECRET = SdkBytes.fromUtf8String("attack at dawn");

  private static KmsEndpoint kms;
  private static KmsClient client;

  @BeforeAll
  static void start() {
    kms = KmsEndpoint.start(0);
    client = LocalAws.kms(kms.endpoint());
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (kms != null) {
      kms.close();
    }
  }

  @Test
  void describeKey_byEveryName() {
    KeyMetadata created = client.createKey(b -> b.description("sealing")).keyMetadata();
    String alias = "alias/describe-" + UUID.randomUUID();
    client.createAlias(b -> b.aliasName(alias).targetKeyId(created.keyId()));

    for (String name :
        List.of(
            created.keyId(), created.arn(), alias, "arn:aws:kms:us-east-1:000000000000:" + alias)) {
      assertEquals(created, client.describeKey(b -> b.keyId(name)).keyMetadata(), name);
    }
  }

  @Test
  void keyPolicy_roundTripsExactly() {
    String keyId = newKey();
    var initial = client.getKeyPolicy(b -> b.keyId(keyId).policyName("default"));
    assertEquals("default", initial.policyName());
    assertEquals(DefaultKeyPolicy.forAccount("000000000000"), initial.policy());

    String policy =
        TestPolicies.policy(
            TestPolicies.ADMIN,
            """
            {"Sid": "TenantOneOnly", "Effect": "Allow", "Principal": "*",
             "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*",
             "Condition": {"StringEquals": {"kms:EncryptionContext:tenant": ["t-1", "t-one"]}}}\
            """);
    client.putKeyPolicy(b -> b.keyId(keyId).policyName("default").policy(policy));
    assertEquals(policy, client.getKeyPolicy(b -> b.keyId(keyId)).policy());
  }

  @Test
  void policyNameOtherThanDefault_isRefused() {
    String keyId = newKey();
    assertEquals(
        "ValidationException",
        errorCode(() -> client.getKeyPolicy(b -> b.keyId(keyId).policyName("custom"))));
    assertEquals(
        "ValidationException",
        errorCode(
            () ->
                client.putKeyPolicy(
                    b ->
                        b.keyId(keyId)
                            .policyName("custom")
                            .policy(DefaultKeyPolicy.forAccount("000000000000")))));
  }

  @Test
  void malformedPolicies_nameTheElementAndTheRule() throws IOException {
    JsonNode cases;
    try (InputStream in = getClass().getResourceAsStream("/kms/malformed-policies.json")) {
      cases = new ObjectMapper().readTree(in);
    }
    String keyId = newKey();
    List<String> failures = new ArrayList<>();
    for (JsonNode vector : cases) {
      String policy = vector.get("policy").asText();
      String expected = vector.get("message").asText();
      for (String operation : List.of("PutKeyPolicy", "CreateKey")) {
        try {
          if (operation.equals("PutKeyPolicy")) {
            client.putKeyPolicy(
                b -> b.keyId(keyId).policy(policy).bypassPolicyLockoutSafetyCheck(true));
          } else {
            client.createKey(b -> b.policy(policy).bypassPolicyLockoutSafetyCheck(true));
          }
          failures.add(vector.get("case").asText() + " (" + operation + "): accepted");
        } catch (MalformedPolicyDocumentException e) {
          String message = e.awsErrorDetails().errorMessage();
          if (!message.contains(expected)) {
            failures.add(vector.get("case").asText() + " (" + operation + "): " + message);
          }
        }
      }
    }
    assertEquals(List.of(), failures);
    // Nothing refused was stored.
    assertEquals(
        DefaultKeyPolicy.forAccount("000000000000"),
        client.getKeyPolicy(b -> b.keyId(keyId)).policy());
  }

  @Test
  void aPolicyThatLocksEveryoneOut_needsTheBypassFlag() {
    String keyId = newKey();
    String decryptOnly =
        TestPolicies.policy(
            """
            {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}\
            """);
    MalformedPolicyDocumentException refused =
        assertThrows(
            MalformedPolicyDocumentException.class,
            () -> client.putKeyPolicy(b -> b.keyId(keyId).policy(decryptOnly)));
    assertTrue(
        refused.awsErrorDetails().errorMessage().contains("will not allow you to update the key"));
    assertThrows(
        MalformedPolicyDocumentException.class, () -> client.createKey(b -> b.policy(decryptOnly)));

    client.putKeyPolicy(
        b -> b.keyId(keyId).policy(decryptOnly).bypassPolicyLockoutSafetyCheck(true));
    KmsException locked =
        assertThrows(
            KmsException.class,
            () ->
                client.putKeyPolicy(
                    b -> b.keyId(keyId).policy(DefaultKeyPolicy.forAccount("000000000000"))));
    assertEquals("AccessDeniedException", locked.awsErrorDetails().errorCode());
    assertTrue(
        locked
            .awsErrorDetails()
            .errorMessage()
            .contains("kms:PutKeyPolicy on arn:aws:kms:us-east-1:000000000000:key/" + keyId));
    assertEquals("AccessDeniedException", errorCode(() -> client.describeKey(b -> b.keyId(keyId))));
    assertEquals(
        "AccessDeniedException", errorCode(() -> client.getKeyPolicy(b -> b.keyId(keyId))));
  }

  @Test
  void encryptionContextConditions_areEvaluated() {
    String keyId = newKey();
    client.putKeyPolicy(
        b ->
            b.keyId(keyId)
                .policy(
                    TestPolicies.policy(
                        TestPolicies.ADMIN,
                        """
                        {"Sid": "TenantOne", "Effect": "Allow", "Principal": "*",
                         "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*",
                         "Condition": {"StringEquals": {"kms:EncryptionContext:Tenant": "t-1"}}}\
                        """)));

    // Condition key names ignore case, so "Tenant" in the policy names the pair "tenant".
    Map<String, String> tenantOne = Map.of("tenant", "t-1");
    SdkBytes ciphertext =
        client
            .encrypt(b -> b.keyId(keyId).plaintext(SECRET).encryptionContext(tenantOne))
            .ciphertextBlob();
    assertEquals(
        SECRET,
        client.decrypt(b -> b.ciphertextBlob(ciphertext).encryptionContext(tenantOne)).plaintext());

    KmsException otherTenant =
        assertThrows(
            KmsException.class,
            () ->
                client.encrypt(
                    b ->
                        b.keyId(keyId)
                            .plaintext(SECRET)
                            .encryptionContext(Map.of("tenant", "T-1"))));
    assertTrue(
        otherTenant
            .awsErrorDetails()
            .errorMessage()
            .contains("kms:EncryptionContext:Tenant is T-1; the key policy allows t-1"),
        otherTenant.awsErrorDetails().errorMessage());
    KmsException noContext =
        assertThrows(
            KmsException.class, () -> client.encrypt(b -> b.keyId(keyId).plaintext(SECRET)));
    assertTrue(
        noContext
            .awsErrorDetails()
            .errorMessage()
            .contains("the request's encryption context has no \"Tenant\""),
        noContext.awsErrorDetails().errorMessage());
  }

  @Test
  void explicitDeny_winsOverAnyAllow() {
    String keyId = newKey();
    client.putKeyPolicy(
        b ->
            b.keyId(keyId)
                .policy(
                    TestPolicies.policy(
                        """
                        {"Sid": "Everything", "Effect": "Allow", "Principal": "*",
                         "Action": "kms:*", "Resource": "*"}\
                        """,
                        """
                        {"Sid": "NoArchiveTenant", "Effect": "Deny", "Principal": "*",
                         "Action": "KMS:ENCRYPT", "Resource": "*",
                         "Condition": {"StringEqualsIgnoreCase": {
                           "kms:EncryptionContext:tenant": "archive"}}}\
                        """)));

    assertEquals(
        keyId,
        client
            .describeKey(b -> b.keyId(keyId))
            .keyMetadata()
            .keyId()); // kms:* still allows the rest
    client.encrypt(b -> b.keyId(keyId).plaintext(SECRET).encryptionContext(Map.of("tenant", "t")));
    KmsException denied =
        assertThrows(
            KmsException.class,
            () ->
                client.encrypt(
                    b ->
                        b.keyId(keyId)
                            .plaintext(SECRET)
                            .encryptionContext(Map.of("tenant", "ARCHIVE"))));
    assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
    assertTrue(
        denied
            .awsErrorDetails()
            .errorMessage()
            .contains(
                "denies it explicitly in statement \"NoArchiveTenant\":"
                    + " kms:EncryptionContext:tenant is ARCHIVE"),
        denied.awsErrorDetails().errorMessage());
  }

  @Test
  void anActionNoStatementNames_isDenied() {
    String keyId = newKey();
    client.putKeyPolicy(b -> b.keyId(keyId).policy(TestPolicies.policy(TestPolicies.ADMIN)));
    KmsException denied =
        assertThrows(
            KmsException.class, () -> client.encrypt(b -> b.keyId(keyId).plaintext(SECRET)));
    assertTrue(
        denied
            .awsErrorDetails()
            .errorMessage()
            .endsWith("is not allowed: no statement of the key policy allows kms:Encrypt"),
        denied.awsErrorDetails().errorMessage());
  }

  @Test
  void unknownKeys_areNotFound() {
    String missing = UUID.randomUUID().toString();
    String policy = DefaultKeyPolicy.forAccount("000000000000");
    assertThrows(NotFoundException.class, () -> client.describeKey(b -> b.keyId(missing)));
    assertThrows(NotFoundException.class, () -> client.getKeyPolicy(b -> b.keyId(missing)));
    assertThrows(
        NotFoundException.class, () -> client.putKeyPolicy(b -> b.keyId(missing).policy(policy)));
    assertThrows(
        NotFoundException.class, () -> client.describeKey(b -> b.keyId("alias/never-made")));
  }

  private static String newKey() {
    return client.createKey(b -> {}).keyMetadata().keyId();
  }

  private static String errorCode(Runnable call) {
    return assertThrows(KmsException.class, call::run).awsErrorDetails().errorCode();
  }
}
