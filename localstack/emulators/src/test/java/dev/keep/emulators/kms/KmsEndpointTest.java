package dev.keep.emulators.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.emulators.LocalAws;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.AlreadyExistsException;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptionAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.IncorrectKeyException;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.kms.model.UnsupportedOperationException;

/** Every operation through the unmodified SDK client, errors included. */
class KmsEndpointTest {
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
  void createKeyReturnsMetadata() {
    Instant before = Instant.now().minusSeconds(1);
    KeyMetadata key = client.createKey(b -> b.description("signing keys")).keyMetadata();

    assertEquals(key.keyId(), UUID.fromString(key.keyId()).toString());
    assertEquals("arn:aws:kms:us-east-1:000000000000:key/" + key.keyId(), key.arn());
    assertEquals("000000000000", key.awsAccountId());
    assertTrue(key.enabled());
    assertEquals(KeyState.ENABLED, key.keyState());
    assertEquals(KeySpec.SYMMETRIC_DEFAULT, key.keySpec());
    assertEquals(KeyUsageType.ENCRYPT_DECRYPT, key.keyUsage());
    assertEquals("signing keys", key.description());
    assertEquals(List.of(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT), key.encryptionAlgorithms());
    assertFalse(key.creationDate().isBefore(before));
    assertTrue(key.creationDate().isBefore(Instant.now().plusSeconds(1)));
  }

  @Test
  void createKeyRefusesKindsItCannotMake() {
    assertThrows(
        UnsupportedOperationException.class,
        () -> client.createKey(b -> b.keySpec(KeySpec.RSA_2048)));
    assertThrows(
        UnsupportedOperationException.class,
        () -> client.createKey(b -> b.keyUsage(KeyUsageType.SIGN_VERIFY)));
  }

  @Test
  void encryptsAndDecryptsWithEveryFormOfKeyId() {
    KeyMetadata key = newKey();
    String alias = "alias/round-trip-" + UUID.randomUUID();
    client.createAlias(b -> b.aliasName(alias).targetKeyId(key.keyId()));
    String aliasArn = "arn:aws:kms:us-east-1:000000000000:" + alias;

    for (String keyId : List.of(key.keyId(), key.arn(), alias, aliasArn)) {
      SdkBytes ciphertext = client.encrypt(b -> b.keyId(keyId).plaintext(SECRET)).ciphertextBlob();
      assertNotEquals(SECRET, ciphertext);

      DecryptResponse withoutKeyId = client.decrypt(b -> b.ciphertextBlob(ciphertext));
      assertEquals(SECRET, withoutKeyId.plaintext(), keyId);
      assertEquals(key.arn(), withoutKeyId.keyId());
      assertEquals(
          SECRET, client.decrypt(b -> b.ciphertextBlob(ciphertext).keyId(keyId)).plaintext());
    }
  }

  @Test
  void encryptionContextMustMatchExactlyButInAnyOrder() {
    String keyId = newKey().keyId();
    Map<String, String> context = new LinkedHashMap<>();
    context.put("tenant", "t-1");
    context.put("purpose", "seal");
    SdkBytes ciphertext =
        client
            .encrypt(b -> b.keyId(keyId).plaintext(SECRET).encryptionContext(context))
            .ciphertextBlob();

    Map<String, String> reordered = new LinkedHashMap<>();
    reordered.put("purpose", "seal");
    reordered.put("tenant", "t-1");
    assertEquals(
        SECRET,
        client.decrypt(b -> b.ciphertextBlob(ciphertext).encryptionContext(reordered)).plaintext());

    for (Map<String, String> wrong :
        List.of(
            Map.<String, String>of(),
            Map.of("tenant", "t-2", "purpose", "seal"),
            Map.of("tenant", "t-1"),
            Map.of("tenant", "t-1", "purpose", "seal", "extra", "x"))) {
      assertThrows(
          InvalidCiphertextException.class,
          () -> client.decrypt(b -> b.ciphertextBlob(ciphertext).encryptionContext(wrong)),
          wrong.toString());
    }
  }

  @Test
  void tamperedOrForeignCiphertextIsInvalid() {
    String keyId = newKey().keyId();
    byte[] ciphertext =
        client.encrypt(b -> b.keyId(keyId).plaintext(SECRET)).ciphertextBlob().asByteArray();

    byte[] flipped = ciphertext.clone();
    flipped[flipped.length - 1] ^= 1;
    assertThrows(
        InvalidCiphertextException.class,
        () -> client.decrypt(b -> b.ciphertextBlob(SdkBytes.fromByteArray(flipped))));

    // The same blob, relabelled to name another (existing) key.
    String otherId = newKey().keyId();
    byte[] relabelled = ciphertext.clone();
    System.arraycopy(
        otherId.getBytes(StandardCharsets.US_ASCII), 0, relabelled, 2, otherId.length());
    assertThrows(
        InvalidCiphertextException.class,
        () -> client.decrypt(b -> b.ciphertextBlob(SdkBytes.fromByteArray(relabelled))));

    assertThrows(
        InvalidCiphertextException.class,
        () ->
            client.decrypt(
                b -> b.ciphertextBlob(SdkBytes.fromUtf8String("not a ciphertext blob at all"))));
  }

  @Test
  void decryptWithAnotherKeysIdIsIncorrectKey() {
    String keyId = newKey().keyId();
    String otherId = newKey().keyId();
    SdkBytes ciphertext = client.encrypt(b -> b.keyId(keyId).plaintext(SECRET)).ciphertextBlob();

    assertThrows(
        IncorrectKeyException.class,
        () -> client.decrypt(b -> b.ciphertextBlob(ciphertext).keyId(otherId)));
  }

  @Test
  void unknownKeysAreNotFound() {
    String missing = UUID.randomUUID().toString();
    for (String keyId :
        List.of(
            missing,
            "arn:aws:kms:us-east-1:000000000000:key/" + missing,
            "alias/missing",
            "arn:aws:kms:us-east-1:000000000000:alias/missing",
            // A real key, but in another account's ARN.
            "arn:aws:kms:us-east-1:111111111111:key/" + newKey().keyId(),
            "not-a-key-id")) {
      NotFoundException e =
          assertThrows(
              NotFoundException.class,
              () -> client.encrypt(b -> b.keyId(keyId).plaintext(SECRET)),
              keyId);
      assertEquals(400, e.statusCode());
      assertFalse(e.awsErrorDetails().errorMessage().isBlank());
    }
  }

  @Test
  void aliasesNeedAnExistingKeyAndAFreshName() {
    String keyId = newKey().keyId();
    String alias = "alias/once-" + UUID.randomUUID();
    client.createAlias(b -> b.aliasName(alias).targetKeyId(keyId));

    assertThrows(
        AlreadyExistsException.class,
        () -> client.createAlias(b -> b.aliasName(alias).targetKeyId(newKey().keyId())));
    assertThrows(
        NotFoundException.class,
        () ->
            client.createAlias(
                b -> b.aliasName("alias/orphan").targetKeyId(UUID.randomUUID().toString())));
    assertEquals(
        "ValidationException",
        errorCode(() -> client.createAlias(b -> b.aliasName("no-prefix").targetKeyId(keyId))));
    assertEquals(
        "ValidationException",
        errorCode(
            () -> client.createAlias(b -> b.aliasName("alias/aws/reserved").targetKeyId(keyId))));
    assertEquals(
        "ValidationException",
        errorCode(() -> client.createAlias(b -> b.aliasName("alias/chained").targetKeyId(alias))));
  }

  @Test
  void generatedDataKeysDecryptToTheirPlaintext() {
    String keyId = newKey().keyId();
    Map<String, String> context = Map.of("job", "j-1");

    GenerateDataKeyResponse aes =
        client.generateDataKey(
            b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256).encryptionContext(context));
    assertEquals(32, aes.plaintext().asByteArray().length);
    assertEquals(newKeyArn(keyId), aes.keyId());
    assertEquals(
        aes.plaintext(),
        client
            .decrypt(b -> b.ciphertextBlob(aes.ciphertextBlob()).encryptionContext(context))
            .plaintext());
    assertThrows(
        InvalidCiphertextException.class,
        () -> client.decrypt(b -> b.ciphertextBlob(aes.ciphertextBlob())));

    assertEquals(
        16,
        client
            .generateDataKey(b -> b.keyId(keyId).keySpec(DataKeySpec.AES_128))
            .plaintext()
            .asByteArray()
            .length);
    GenerateDataKeyResponse sized = client.generateDataKey(b -> b.keyId(keyId).numberOfBytes(64));
    assertEquals(64, sized.plaintext().asByteArray().length);
    assertNotEquals(
        aes.plaintext(),
        client.generateDataKey(b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256)).plaintext());
  }

  @Test
  void generateDataKeyNeedsExactlyOneLength() {
    String keyId = newKey().keyId();
    assertEquals(
        "ValidationException", errorCode(() -> client.generateDataKey(b -> b.keyId(keyId))));
    assertEquals(
        "ValidationException",
        errorCode(
            () ->
                client.generateDataKey(
                    b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256).numberOfBytes(32))));
    assertEquals(
        "ValidationException",
        errorCode(() -> client.generateDataKey(b -> b.keyId(keyId).numberOfBytes(1025))));
  }

  @Test
  void generateRandomGivesTheBytesAskedFor() {
    assertEquals(
        1, client.generateRandom(b -> b.numberOfBytes(1)).plaintext().asByteArray().length);
    byte[] a = client.generateRandom(b -> b.numberOfBytes(1024)).plaintext().asByteArray();
    byte[] b2 = client.generateRandom(b -> b.numberOfBytes(1024)).plaintext().asByteArray();
    assertEquals(1024, a.length);
    assertFalse(java.util.Arrays.equals(a, b2));

    KmsException tooFew =
        assertThrows(KmsException.class, () -> client.generateRandom(b -> b.numberOfBytes(0)));
    assertEquals("ValidationException", tooFew.awsErrorDetails().errorCode());
    assertTrue(tooFew.awsErrorDetails().errorMessage().contains("NumberOfBytes"));
    assertEquals(
        "ValidationException", errorCode(() -> client.generateRandom(b -> b.numberOfBytes(1025))));
    assertEquals("ValidationException", errorCode(() -> client.generateRandom(b -> {})));
  }

  @Test
  void plaintextLimitsAreEnforced() {
    String keyId = newKey().keyId();
    SdkBytes tooLarge = SdkBytes.fromByteArray(new byte[4097]);
    assertEquals(
        "ValidationException",
        errorCode(() -> client.encrypt(b -> b.keyId(keyId).plaintext(tooLarge))));
    SdkBytes largest = SdkBytes.fromByteArray(new byte[4096]);
    SdkBytes ciphertext = client.encrypt(b -> b.keyId(keyId).plaintext(largest)).ciphertextBlob();
    assertArrayEquals(
        largest.asByteArray(),
        client.decrypt(b -> b.ciphertextBlob(ciphertext)).plaintext().asByteArray());
  }

  @Test
  void keysDoNotOutliveTheirEndpoint() {
    SdkBytes ciphertext;
    try (KmsEndpoint other = KmsEndpoint.start(0);
        KmsClient otherClient = LocalAws.kms(other.endpoint())) {
      String keyId = otherClient.createKey(b -> {}).keyMetadata().keyId();
      ciphertext = otherClient.encrypt(b -> b.keyId(keyId).plaintext(SECRET)).ciphertextBlob();
    }
    // Another endpoint never had that key.
    assertThrows(
        InvalidCiphertextException.class, () -> client.decrypt(b -> b.ciphertextBlob(ciphertext)));
  }

  @Test
  void servesConcurrentClients() throws Exception {
    String keyId = newKey().keyId();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      List<java.util.concurrent.Future<SdkBytes>> results = new java.util.ArrayList<>();
      for (int i = 0; i < 32; i++) {
        SdkBytes plaintext = SdkBytes.fromUtf8String("message " + i);
        results.add(
            executor.submit(
                () -> {
                  SdkBytes c =
                      client.encrypt(b -> b.keyId(keyId).plaintext(plaintext)).ciphertextBlob();
                  return client.decrypt(b -> b.ciphertextBlob(c)).plaintext();
                }));
      }
      for (int i = 0; i < results.size(); i++) {
        long left = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
        assertEquals(
            SdkBytes.fromUtf8String("message " + i),
            results.get(i).get(left, java.util.concurrent.TimeUnit.MILLISECONDS));
      }
    }
  }

  private static KeyMetadata newKey() {
    return client.createKey(b -> {}).keyMetadata();
  }

  private static String newKeyArn(String keyId) {
    return "arn:aws:kms:us-east-1:000000000000:key/" + keyId;
  }

  private static String errorCode(Runnable call) {
    return assertThrows(KmsException.class, call::run).awsErrorDetails().errorCode();
  }
}
