package dev.keep.enclave.seal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.EnclaveMain;
import dev.keep.enclave.keys.KeyStore;
import dev.keep.enclave.server.EnclaveMode;
import dev.keep.enclave.server.EnclaveService;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.enclave.signing.Signer;
import dev.keep.schema.attestation.AttestationVerifier;
import dev.keep.schema.attestation.KeepUserData;
import dev.keep.schema.attestation.Nonce;
import dev.keep.schema.attestation.PcrPolicy;
import dev.keep.schema.attestation.TrustedRoot;
import dev.keep.schema.attestation.VerifiedAttestation;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveRequest.KeySpec;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.ErrorCode;
import dev.keep.schema.protocol.SealedBlob;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.cms.CMSAlgorithm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sealing under KMS data keys: what opens, what must not, and the attestation that asks for them. */
class KmsSealingTest {
  private static final KeySpec TESTNET = new KeySpec("single", "testnet", false);
  private static final String ALLOW = dev.keep.enclave.server.TestPolicies.ALLOW_ALL;

  private final HostShelf host = new HostShelf();
  private final RecipientKey boot = RecipientKey.generate(new SecureRandom());
  private final EnclaveService enclave = service(boot, EnclaveMode.LOCAL);

  private static EnclaveService service(RecipientKey recipient, EnclaveMode mode) {
    try {
      return new EnclaveService(KeyStore.open(new KmsSealedVault(recipient, new SecureRandom())),
          new Signer(new LibSecp256k1Engine(), new SecureRandom()), mode, Clock.systemUTC());
    } catch (VaultException e) {
      throw new AssertionError(e);
    }
  }

  private static EnclaveResponse.Error error(EnclaveResponse r) {
    return assertInstanceOf(EnclaveResponse.Error.class, r);
  }

  @Test
  void aGeneratedKeyIsSealedInItsResponseFrame_withTheTenantAndDataKeyInTheHeader() throws Exception {
    host.generate(enclave, boot, new EnclaveRequest.GenerateKey("k", TESTNET, ALLOW));
    SealedBlob key = host.keys.get("k");
    assertEquals("tenant-a", key.tenant());
    assertEquals(KmsStandIn.ARN, key.kmsKeyId());
    assertEquals(1, host.states.get("k").sequence()); // the first policy, sealed with the key
    assertTrue(!key.toString().contains(key.ciphertext()), "a blob prints its length, not its bytes");
  }

  @Test
  void aBlobFiledUnderAnotherKeyId_doesNotOpen_evenWithItsHeaderEdited() throws Exception {
    host.generate(enclave, boot, new EnclaveRequest.GenerateKey("k", TESTNET, ALLOW));
    SealedBlob blob = host.keys.get("k");
    RecipientKey next = RecipientKey.generate(new SecureRandom());
    EnclaveService restarted = service(next, EnclaveMode.LOCAL);

    var moved = error(restarted.handle(host.kms.unsealRequest("other", blob, null, next)));
    assertEquals(ErrorCode.SEALING_FAILED, moved.code());
    assertTrue(moved.message().contains("the blob names 'k', but the host filed it under 'other'"), moved.message());

    SealedBlob relabelled = new SealedBlob(1, "key", "other", blob.tenant(), 0, blob.kmsKeyId(), blob.dataKey(),
        blob.nonce(), blob.ciphertext());
    var edited = error(restarted.handle(host.kms.unsealRequest("other", relabelled, null, next)));
    assertTrue(edited.message().contains("fails its integrity check"), edited.message());

    SealedBlob otherTenant = new SealedBlob(1, "key", "k", "tenant-b", 0, blob.kmsKeyId(), blob.dataKey(),
        blob.nonce(), blob.ciphertext());
    assertTrue(error(restarted.handle(host.kms.unsealRequest("k", otherTenant, null, next))).message()
        .contains("fails its integrity check"));
    assertEquals(ErrorCode.KEY_NOT_FOUND, error(restarted.handle(new EnclaveRequest.GetPublicKey("other", null))).code());
    // The untouched blob still opens.
    assertInstanceOf(EnclaveResponse.KeyInfo.class, restarted.handle(host.kms.unsealRequest("k", blob, null, next)));
  }

  @Test
  void aFlippedByte_orAnotherKeysState_isRefused() throws Exception {
    host.generate(enclave, boot, new EnclaveRequest.GenerateKey("a", TESTNET, ALLOW));
    host.generate(enclave, boot, new EnclaveRequest.GenerateKey("b", TESTNET, ALLOW));
    SealedBlob a = host.keys.get("a");
    byte[] bytes = a.ciphertextBytes();
    bytes[5] ^= 1;
    SealedBlob flipped = new SealedBlob(1, "key", "a", a.tenant(), 0, a.kmsKeyId(), a.dataKey(), a.nonce(),
        Base64.getEncoder().encodeToString(bytes));
    RecipientKey next = RecipientKey.generate(new SecureRandom());
    EnclaveService restarted = service(next, EnclaveMode.LOCAL);
    assertTrue(error(restarted.handle(host.kms.unsealRequest("a", flipped, null, next))).message()
        .contains("fails its integrity check"));
    var swapped = error(restarted.handle(host.kms.unsealRequest("a", a, host.states.get("b"), next)));
    assertTrue(swapped.message().startsWith("state: sealed for another key"), swapped.message());
  }

  @Test
  void aDataKeyForAnotherBoot_orInAnotherCipher_isRefused() throws Exception {
    RecipientKey stranger = RecipientKey.generate(new SecureRandom());
    var wrongBoot = error(enclave.handle(new EnclaveRequest.GenerateKey("k", TESTNET, ALLOW)
        .sealedWith("t", host.kms.generateDataKey(stranger.publicKeyDer()))));
    assertEquals(ErrorCode.SEALING_FAILED, wrongBoot.code());
    assertTrue(wrongBoot.message().contains("does not open with this enclave's key"), wrongBoot.message());

    byte[] aes128 = new org.bouncycastle.cms.CMSEnvelopedDataGenerator() {{
        addRecipientInfoGenerator(new org.bouncycastle.cms.jcajce.JceKeyTransRecipientInfoGenerator(new byte[] {1},
            java.security.KeyFactory.getInstance("RSA").generatePublic(
                new java.security.spec.X509EncodedKeySpec(boot.publicKeyDer()))));
      }}.generate(new org.bouncycastle.cms.CMSProcessableByteArray(new byte[32]),
          new org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder(CMSAlgorithm.AES128_CBC).build()).getEncoded();
    var weak = error(enclave.handle(new EnclaveRequest.GenerateKey("k", TESTNET, ALLOW).sealedWith("t",
        new dev.keep.schema.protocol.DataKeyEnvelope(KmsStandIn.ARN, "AA==", Base64.getEncoder().encodeToString(aes128)))));
    assertTrue(weak.message().contains("expected AES-256-CBC"), weak.message());
    assertEquals(ErrorCode.KEY_NOT_FOUND, error(enclave.handle(new EnclaveRequest.GetPublicKey("k", null))).code());
  }

  @Test
  void aNitroEnclaveSealsEveryKey_andTakesSecretsOnlySealedToIt() throws Exception {
    EnclaveService nitro = service(boot, EnclaveMode.NITRO);
    var unsealed = error(nitro.handle(new EnclaveRequest.GenerateKey("k", TESTNET, ALLOW)));
    assertTrue(unsealed.message().startsWith("dataKey: a Nitro enclave seals every key"), unsealed.message());
    String secret = "0000000000000000000000000000000000000000000000000000000000000003";
    var plaintext = error(nitro.handle(new EnclaveRequest.ImportKey("i", TESTNET, secret).sealedWith("t",
        host.kms.generateDataKey(boot.publicKeyDer()))));
    assertTrue(plaintext.message().startsWith("secret: a Nitro enclave refuses plaintext"), plaintext.message());

    String sealedSecret = Base64.getEncoder().encodeToString(
        KmsStandIn.envelope(secret.getBytes(java.nio.charset.StandardCharsets.US_ASCII), boot.publicKeyDer()));
    var imported = assertInstanceOf(EnclaveResponse.KeyInfo.class, host.call(nitro, new EnclaveRequest.ImportKey(
        "i", TESTNET, null, sealedSecret, ALLOW, "t", host.kms.generateDataKey(boot.publicKeyDer()))));
    // 3·G, the public key of the secret 3.
    assertEquals("02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9", imported.publicKey());
    assertTrue(host.keys.containsKey("i"));
  }

  /**
   * The document verifies against the local root, carries the recipient key, and commits to the
   * audit key and the policies; another boot has another audit key.
   */
  @Test
  void attestation_carriesTheRecipientKey_andCommitsToTheAuditKeyAndPolicies(@TempDir Path dir) throws Exception {
    EnclaveMain.Enclave local = EnclaveMain.local(dir, null, false);
    EnclaveService service = new EnclaveService(local.keys(), new Signer(new LibSecp256k1Engine(), local.random()),
        EnclaveMode.LOCAL, Clock.systemUTC(), local.attester());
    service.handle(new EnclaveRequest.GenerateKey("k", TESTNET, ALLOW));
    var attestation = assertInstanceOf(EnclaveResponse.Attestation.class,
        service.handle(new EnclaveRequest.Attest("0123456789abcdef")));
    VerifiedAttestation verified = AttestationVerifier.builder()
        .trustedRoot(TrustedRoot.local(java.nio.file.Files.readAllBytes(dir.resolve("local-nitro-root.pem"))))
        .pcrs(PcrPolicy.insecureNoCheck())
        .expectedNonce(Nonce.of(Hex.decode("n", "0123456789abcdef")))
        .requirePublicKey(true)
        .build()
        .verify(Base64.getDecoder().decode(attestation.document()));
    assertEquals(attestation.publicKey(), Base64.getEncoder().encodeToString(verified.publicKey().orElseThrow().bytes()));
    assertEquals(1, attestation.policies().size());
    assertEquals(Hex.encode(KeepUserData.of(Hex.decode("auditKey", attestation.auditKey()), attestation.policies())),
        attestation.userData());
    assertEquals(attestation.userData(), Hex.encode(verified.userData().orElseThrow().bytes()));
    assertTrue(!verified.debugMode());
    // The audit key is a BIP-340 key (x-only, on the curve), new with every boot.
    new LibSecp256k1Engine().parsePublicKey(Hex.decode("k", "02" + attestation.auditKey()));
    var other = assertInstanceOf(EnclaveResponse.Attestation.class,
        EnclaveMain.local(dir, null, false).attester().attest(new byte[8], List.of()));
    assertNotEquals(attestation.auditKey(), other.auditKey());
    local.attester().close();
  }
}
