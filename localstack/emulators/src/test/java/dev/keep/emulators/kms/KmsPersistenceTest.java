package dev.keep.emulators.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.emulators.LocalAws;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.AlreadyExistsException;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;

/** Endpoints started on one directory share their keys; without one, keys die with the endpoint. */
class KmsPersistenceTest {
  private static final SdkBytes SECRET = SdkBytes.fromUtf8String("attack at dawn");
  private static final Map<String, String> CONTEXT = Map.of("tenant", "t-1");

  @TempDir Path directory;

  @Test
  void aSecondEndpointOnTheSameDirectory_hasTheSameKeys() {
    String keyId;
    SdkBytes ciphertext;
    String policy =
        TestPolicies.policy(
            TestPolicies.ADMIN,
            """
            {"Sid": "Use", "Effect": "Allow", "Principal": "*",
             "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}\
            """);
    try (KmsEndpoint first = KmsEndpoint.builder().directory(directory).start();
        KmsClient client = LocalAws.kms(first.endpoint())) {
      keyId = client.createKey(b -> b.description("sealing")).keyMetadata().keyId();
      client.createAlias(b -> b.aliasName("alias/keep/seal").targetKeyId(keyId));
      client.putKeyPolicy(b -> b.keyId(keyId).policy(policy));
      ciphertext =
          client
              .encrypt(b -> b.keyId("alias/keep/seal").plaintext(SECRET).encryptionContext(CONTEXT))
              .ciphertextBlob();
    }

    try (KmsEndpoint second = KmsEndpoint.builder().directory(directory).start();
        KmsClient client = LocalAws.kms(second.endpoint())) {
      assertEquals(
          SECRET,
          client.decrypt(b -> b.ciphertextBlob(ciphertext).encryptionContext(CONTEXT)).plaintext());
      var metadata = client.describeKey(b -> b.keyId("alias/keep/seal")).keyMetadata();
      assertEquals(keyId, metadata.keyId());
      assertEquals("sealing", metadata.description());
      assertEquals(policy, client.getKeyPolicy(b -> b.keyId(keyId)).policy());
      assertThrows(
          AlreadyExistsException.class,
          () -> client.createAlias(b -> b.aliasName("alias/keep/seal").targetKeyId(keyId)));
    }

    // An endpoint without the directory never had the key.
    try (KmsEndpoint memory = KmsEndpoint.start(0);
        KmsClient client = LocalAws.kms(memory.endpoint())) {
      assertThrows(
          InvalidCiphertextException.class,
          () -> client.decrypt(b -> b.ciphertextBlob(ciphertext).encryptionContext(CONTEXT)));
    }
  }

  @Test
  void endpointsRunningTogether_seeEachOthersKeysAtOnce() {
    try (KmsEndpoint a = KmsEndpoint.builder().directory(directory).start();
        KmsEndpoint b = KmsEndpoint.builder().directory(directory).start();
        KmsClient clientA = LocalAws.kms(a.endpoint());
        KmsClient clientB = LocalAws.kms(b.endpoint())) {
      String keyId = clientA.createKey(r -> {}).keyMetadata().keyId();
      SdkBytes ciphertext = clientB.encrypt(r -> r.keyId(keyId).plaintext(SECRET)).ciphertextBlob();
      assertEquals(SECRET, clientA.decrypt(r -> r.ciphertextBlob(ciphertext)).plaintext());

      clientB.createAlias(r -> r.aliasName("alias/shared").targetKeyId(keyId));
      assertEquals(keyId, clientA.describeKey(r -> r.keyId("alias/shared")).keyMetadata().keyId());
      assertThrows(
          AlreadyExistsException.class,
          () -> clientA.createAlias(r -> r.aliasName("alias/shared").targetKeyId(keyId)));
    }
  }

  @Test
  void filesAreOwnerOnlyAndNoTemporaryFileIsLeft() throws IOException {
    String keyId;
    try (KmsEndpoint kms = KmsEndpoint.builder().directory(directory).start();
        KmsClient client = LocalAws.kms(kms.endpoint())) {
      keyId = client.createKey(b -> {}).keyMetadata().keyId();
      client.createAlias(b -> b.aliasName("alias/a/b").targetKeyId(keyId));
      client.putKeyPolicy(b -> b.keyId(keyId).policy(DefaultKeyPolicy.forAccount("000000000000")));
    }

    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.resolve("keys"))));
    List<Path> files;
    try (Stream<Path> walk = Files.walk(directory)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertEquals(
        List.of(
            directory.resolve("aliases/alias%2Fa%2Fb.json"),
            directory.resolve("keys/" + keyId + ".json"),
            directory.resolve("kms-endpoint.json")),
        files.stream().sorted().toList());
    for (Path file : files) {
      assertEquals(
          "rw-------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(file)),
          file.toString());
    }
  }

  @Test
  void aDirectoryOfAnotherAccount_isRefused() {
    // The first start claims the directory for us-east-1 / 000000000000.
    KmsEndpoint.builder().directory(directory).start().close();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                KmsEndpoint.builder()
                    .directory(directory)
                    .region("eu-west-1")
                    .accountId("111122223333")
                    .start());
    assertTrue(e.getMessage().startsWith("directory: "), e.getMessage());
    assertTrue(e.getMessage().contains("us-east-1"), e.getMessage());
  }
}
