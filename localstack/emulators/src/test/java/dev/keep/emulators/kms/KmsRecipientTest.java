package dev.keep.emulators.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.emulators.LocalAws;
import dev.keep.enclave.attestation.LocalNitroAuthority;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.function.Consumer;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.EnvelopedData;
import org.bouncycastle.asn1.cms.KeyTransRecipientInfo;
import org.bouncycastle.asn1.cms.RecipientIdentifier;
import org.bouncycastle.asn1.cms.RecipientInfo;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAESOAEPparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.RecipientInformation;
import org.bouncycastle.cms.jcajce.JceKeyTransEnvelopedRecipient;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.KeyEncryptionMechanism;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.RecipientInfo.Builder;

/**
 * Nitro Enclaves attestation through the unmodified SDK: real documents from local mode's software
 * NSM, a CiphertextForRecipient opened with BouncyCastle's CMS code and the enclave's RSA key, and
 * the key policy's kms:RecipientAttestation conditions deciding who gets it.
 */
class KmsRecipientTest {
  private static final Map<String, String> CONTEXT = Map.of("key", "k-1", "tenant", "t-1");

  private static LocalNitroAuthority authority;
  private static TestEnclave enclave;
  private static KmsEndpoint kms;
  private static KmsClient client;

  @BeforeAll
  static void start() {
    authority = TestEnclave.newAuthority();
    enclave = TestEnclave.release(authority);
    kms = KmsEndpoint.builder().trustedRoot(TestEnclave.trust(authority)).start();
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
  void generateDataKeyWithRecipient_sealsTheDataKeyToTheEnclaveOnly() throws Exception {
    String keyId = enclaveKey();
    GenerateDataKeyResponse generated =
        client.generateDataKey(
            b ->
                b.keyId(keyId)
                    .keySpec(DataKeySpec.AES_256)
                    .encryptionContext(CONTEXT)
                    .recipient(recipient(enclave.document())));

    assertNull(generated.plaintext(), "no Plaintext with a Recipient");
    assertTrue(generated.ciphertextBlob().asByteArray().length > 0);
    byte[] dataKey = open(generated.ciphertextForRecipient(), enclave.rsa().getPrivate());
    assertEquals(32, dataKey.length);

    DecryptResponse decrypted =
        client.decrypt(
            b ->
                b.ciphertextBlob(generated.ciphertextBlob())
                    .encryptionContext(CONTEXT)
                    .recipient(recipient(enclave.document())));
    assertNull(decrypted.plaintext(), "no Plaintext with a Recipient");
    assertArrayEquals(
        dataKey, open(decrypted.ciphertextForRecipient(), enclave.rsa().getPrivate()));
  }

  @Test
  void ciphertextForRecipient_isTheDocumentedCmsEnvelopedData() throws Exception {
    byte[] cms =
        client
            .generateDataKey(
                b ->
                    b.keyId(enclaveKey())
                        .numberOfBytes(48)
                        .recipient(recipient(enclave.document())))
            .ciphertextForRecipient()
            .asByteArray();

    // DER: re-encoding changes nothing.
    assertArrayEquals(cms, ASN1Primitive.fromByteArray(cms).getEncoded(ASN1Encoding.DER));
    ContentInfo contentInfo = ContentInfo.getInstance(cms);
    assertEquals(PKCSObjectIdentifiers.envelopedData, contentInfo.getContentType());
    EnvelopedData enveloped = EnvelopedData.getInstance(contentInfo.getContent());
    // RFC 5652 §6.1: version 2, because the one recipient is a version 2 KeyTransRecipientInfo.
    assertEquals(2, enveloped.getVersion().intValueExact());
    assertEquals(1, enveloped.getRecipientInfos().size());
    KeyTransRecipientInfo recipient =
        KeyTransRecipientInfo.getInstance(
            RecipientInfo.getInstance(enveloped.getRecipientInfos().getObjectAt(0)).getInfo());
    assertEquals(2, recipient.getVersion().intValueExact());
    assertTrue(
        RecipientIdentifier.getInstance(recipient.getRecipientIdentifier()).isTagged(),
        "rid is subjectKeyIdentifier [0]");

    AlgorithmIdentifier keyEncryption = recipient.getKeyEncryptionAlgorithm();
    assertEquals(PKCSObjectIdentifiers.id_RSAES_OAEP, keyEncryption.getAlgorithm());
    RSAESOAEPparams oaep = RSAESOAEPparams.getInstance(keyEncryption.getParameters());
    assertEquals(NISTObjectIdentifiers.id_sha256, oaep.getHashAlgorithm().getAlgorithm());
    assertEquals(PKCSObjectIdentifiers.id_mgf1, oaep.getMaskGenAlgorithm().getAlgorithm());
    assertEquals(
        NISTObjectIdentifiers.id_sha256,
        AlgorithmIdentifier.getInstance(oaep.getMaskGenAlgorithm().getParameters()).getAlgorithm());
    assertEquals(PKCSObjectIdentifiers.data, enveloped.getEncryptedContentInfo().getContentType());
    assertEquals(
        CMSAlgorithm.AES256_CBC,
        enveloped.getEncryptedContentInfo().getContentEncryptionAlgorithm().getAlgorithm());

    assertEquals(48, open(SdkBytes.fromByteArray(cms), enclave.rsa().getPrivate()).length);
  }

  @Test
  void anotherKeyCannotOpenCiphertextForRecipient() {
    SdkBytes cms =
        client
            .generateDataKey(
                b ->
                    b.keyId(enclaveKey())
                        .keySpec(DataKeySpec.AES_256)
                        .recipient(recipient(enclave.document())))
            .ciphertextForRecipient();
    assertThrows(Exception.class, () -> open(cms, TestEnclave.rsa(2048).getPrivate()));
  }

  @Test
  void otherPcr0_isAccessDeniedNamingPcr0AndBothValues() {
    String keyId = enclaveKey();
    byte[] otherImage = new byte[48];
    otherImage[0] = 0x1a;
    TestEnclave otherBuild = enclave.withPcr(0, otherImage);

    KmsException denied =
        assertThrows(
            KmsException.class,
            () ->
                client.generateDataKey(
                    b ->
                        b.keyId(keyId)
                            .keySpec(DataKeySpec.AES_256)
                            .recipient(recipient(otherBuild.document()))));

    assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
    assertEquals(400, denied.statusCode());
    String message = denied.awsErrorDetails().errorMessage();
    assertTrue(message.contains("kms:GenerateDataKey"), message);
    assertTrue(
        message.contains(
            "kms:RecipientAttestation:PCR0 is "
                + otherBuild.pcrHex(0)
                + "; the key policy allows "
                + enclave.pcrHex(0)),
        message);
  }

  @Test
  void withoutRecipient_theNullConditionDenies() {
    String keyId = enclaveKey();
    SdkBytes blob =
        client
            .generateDataKey(
                b ->
                    b.keyId(keyId)
                        .keySpec(DataKeySpec.AES_256)
                        .recipient(recipient(enclave.document())))
            .ciphertextBlob();

    for (Runnable call :
        new Runnable[] {
          () -> client.decrypt(b -> b.ciphertextBlob(blob)),
          () -> client.generateDataKey(b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256))
        }) {
      KmsException denied = assertThrows(KmsException.class, call::run);
      assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
      String message = denied.awsErrorDetails().errorMessage();
      assertTrue(message.contains("explicitly in statement \"DenyWithoutAttestation\""), message);
      assertTrue(
          message.contains(
              "kms:RecipientAttestation:ImageSha384 is absent (the request has no Recipient"),
          message);
    }
  }

  @Test
  void debugModeDocument_isVerifiedButItsZeroPcrsMatchNoPinnedPolicy() throws Exception {
    TestEnclave debug = TestEnclave.debug(authority);
    KmsException denied =
        assertThrows(
            KmsException.class,
            () ->
                client.generateDataKey(
                    b ->
                        b.keyId(enclaveKey())
                            .keySpec(DataKeySpec.AES_256)
                            .recipient(recipient(debug.document()))));
    assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
    assertTrue(
        denied.awsErrorDetails().errorMessage().contains("PCR0 is " + "0".repeat(96)),
        denied.awsErrorDetails().errorMessage());

    // AWS's KMS tool tutorial allows a debug enclave by pinning ImageSha384 to zeros.
    String debugEnclaves =
        TestPolicies.policy(
            TestPolicies.ADMIN,
            """
            {"Sid": "DebugEnclaves", "Effect": "Allow", "Principal": "*",
             "Action": "kms:GenerateDataKey", "Resource": "*",
             "Condition": {"StringEqualsIgnoreCase": {
               "kms:RecipientAttestation:ImageSha384": "%s"}}}\
            """
                .formatted("0".repeat(96)));
    String keyId = client.createKey(b -> b.policy(debugEnclaves)).keyMetadata().keyId();
    GenerateDataKeyResponse generated =
        client.generateDataKey(
            b ->
                b.keyId(keyId).keySpec(DataKeySpec.AES_256).recipient(recipient(debug.document())));
    assertNull(generated.plaintext());
    assertEquals(32, open(generated.ciphertextForRecipient(), debug.rsa().getPrivate()).length);
  }

  @Test
  void documentFromAnUntrustedRoot_isRefusedNamingTheCheck() {
    TestEnclave impostor = TestEnclave.release(TestEnclave.newAuthority());
    assertRefused(impostor.document(), "at the check root: ");

    // An endpoint left at its default trusts only the AWS Nitro root.
    try (KmsEndpoint aws = KmsEndpoint.start(0);
        KmsClient awsClient = LocalAws.kms(aws.endpoint())) {
      KmsException e =
          assertThrows(
              KmsException.class,
              () ->
                  awsClient.generateRandom(
                      b -> b.numberOfBytes(8).recipient(recipient(enclave.document()))));
      assertEquals("ValidationException", e.awsErrorDetails().errorCode());
      assertTrue(e.awsErrorDetails().errorMessage().contains("AWS Nitro Enclaves root G1"));
    }
  }

  @Test
  void tamperedDocument_isRefused() {
    byte[] document = enclave.document();
    document[document.length - 1] ^= 1; // the last byte of the ES384 signature
    assertRefused(document, "at the check signature: ");
  }

  @Test
  void expiredDocument_isRefused() {
    // Signed four hours ago: the NSM's leaf certificate lives three hours.
    Clock past = Clock.offset(Clock.systemUTC(), Duration.ofHours(-4));
    assertRefused(enclave.at(past).document(), "at the check validity: ");
  }

  @Test
  void documentWithoutAnRsaPublicKey_isRefused() throws Exception {
    assertRefused(enclave.document(null), "at the check public_key: ");
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    assertRefused(
        enclave.document(ec.generateKeyPair().getPublic().getEncoded()),
        "public_key must be a DER SubjectPublicKeyInfo of an RSA key");
    assertRefused(
        enclave.document(TestEnclave.rsa(1024).getPublic().getEncoded()),
        "1024-bit RSA key; at least 2048 bits");
  }

  @Test
  void otherKeyEncryptionAlgorithm_isRefused() {
    KmsException e =
        assertThrows(
            KmsException.class,
            () ->
                client.generateDataKey(
                    b ->
                        b.keyId(enclaveKey())
                            .keySpec(DataKeySpec.AES_256)
                            .recipient(
                                r ->
                                    r.attestationDocument(
                                            SdkBytes.fromByteArray(enclave.document()))
                                        .keyEncryptionAlgorithm("RSAES_OAEP_SHA_1"))));
    assertEquals("ValidationException", e.awsErrorDetails().errorCode());
    String message = e.awsErrorDetails().errorMessage();
    assertTrue(message.contains("Recipient.KeyEncryptionAlgorithm"), message);
    assertTrue(message.contains("[RSAES_OAEP_SHA_256]"), message);
  }

  @Test
  void wrongEncryptionContext_isInvalidCiphertextEvenWithARecipient() {
    String keyId = enclaveKey();
    SdkBytes blob =
        client
            .generateDataKey(
                b ->
                    b.keyId(keyId)
                        .keySpec(DataKeySpec.AES_256)
                        .encryptionContext(CONTEXT)
                        .recipient(recipient(enclave.document())))
            .ciphertextBlob();
    assertThrows(
        InvalidCiphertextException.class,
        () ->
            client.decrypt(
                b ->
                    b.ciphertextBlob(blob)
                        .encryptionContext(Map.of("key", "k-2", "tenant", "t-1"))
                        .recipient(recipient(enclave.document()))));
  }

  @Test
  void generateRandomWithRecipient_returnsOnlyCiphertextForRecipient() throws Exception {
    var response =
        client.generateRandom(b -> b.numberOfBytes(64).recipient(recipient(enclave.document())));
    assertNull(response.plaintext());
    assertEquals(64, open(response.ciphertextForRecipient(), enclave.rsa().getPrivate()).length);
  }

  private static void assertRefused(byte[] document, String expected) {
    KmsException e =
        assertThrows(
            KmsException.class,
            () ->
                client.generateDataKey(
                    b ->
                        b.keyId(enclaveKey())
                            .keySpec(DataKeySpec.AES_256)
                            .recipient(recipient(document))));
    assertEquals("ValidationException", e.awsErrorDetails().errorCode());
    String message = e.awsErrorDetails().errorMessage();
    assertTrue(message.contains("Recipient.AttestationDocument"), message);
    assertTrue(message.contains(expected), message);
  }

  /** A key sealed to {@link #enclave}: its PCR0..2, with a Recipient, and nothing else. */
  private static String enclaveKey() {
    return client.createKey(b -> b.policy(TestPolicies.enclaveOnly(enclave))).keyMetadata().keyId();
  }

  private static Consumer<Builder> recipient(byte[] document) {
    return r ->
        r.attestationDocument(SdkBytes.fromByteArray(document))
            .keyEncryptionAlgorithm(KeyEncryptionMechanism.RSAES_OAEP_SHA_256);
  }

  /** What the enclave does: open the EnvelopedData with its RSA private key. */
  private static byte[] open(SdkBytes cms, PrivateKey key) throws Exception {
    Collection<RecipientInformation> recipients =
        new CMSEnvelopedData(cms.asByteArray()).getRecipientInfos().getRecipients();
    assertEquals(1, recipients.size());
    return recipients
        .iterator()
        .next()
        .getContent(new JceKeyTransEnvelopedRecipient(key).setProvider(new BouncyCastleProvider()));
  }
}
