package dev.keep.enclave.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.EnclaveMain;
import dev.keep.enclave.seal.HostShelf;
import dev.keep.enclave.server.EnclaveMode;
import dev.keep.enclave.server.EnclaveService;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.enclave.signing.Signer;
import dev.keep.schema.attestation.AttestationVerifier;
import dev.keep.schema.attestation.KeepUserData;
import dev.keep.schema.attestation.PcrPolicy;
import dev.keep.schema.attestation.TrustedRoot;
import dev.keep.schema.attestation.VerifiedAttestation;
import dev.keep.schema.audit.Receipt;
import dev.keep.schema.audit.SignedReceipt;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.encoding.Jcs;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveRequest.KeySpec;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.ErrorCode;
import dev.keep.schema.protocol.RequestFrame;
import dev.keep.schema.protocol.ResponseFrame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.crypto.signers.BIP340Signer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19 end to end inside one enclave: the boot's attestation document commits to the audit key,
 * and every decision about a job comes back with a receipt that verifies under it (checked with
 * BouncyCastle's BIP-340, which shares no code with libsecp256k1).
 */
class EnclaveReceiptsTest {
  private static final KeySpec TESTNET = new KeySpec("single", "testnet", false);
  private static final String PSBT_ONLY =
      "{\"version\":1,\"rule\":{\"id\":\"psbt-only\",\"type\":\"allowed_kinds\",\"kinds\":[\"psbt\"]}}";
  private static final String JOB_1 = "0b5e2c1a-6f1e-4d2a-9d1c-3f0e7b1a2c41";
  private static final String JOB_2 = "0b5e2c1a-6f1e-4d2a-9d1c-3f0e7b1a2c42";
  private static final String JOB_3 = "0b5e2c1a-6f1e-4d2a-9d1c-3f0e7b1a2c43";

  @TempDir Path dir;
  private EnclaveMain.Enclave local;
  private EnclaveService enclave;
  private final HostShelf host = new HostShelf();

  @BeforeEach
  void boot() throws Exception {
    local = EnclaveMain.local(dir, null, false);
    enclave = new EnclaveService(local.keys(), new Signer(new LibSecp256k1Engine(), local.random()), EnclaveMode.LOCAL,
        Clock.systemUTC(), local.attester());
    host.generate(enclave, local.attester().recipient(), new EnclaveRequest.GenerateKey("open", TESTNET,
        dev.keep.enclave.server.TestPolicies.ALLOW_ALL));
    host.generate(enclave, local.attester().recipient(), new EnclaveRequest.GenerateKey("strict", TESTNET, PSBT_ONLY));
  }

  private ResponseFrame job(EnclaveRequest request) {
    return enclave.handle(RequestFrame.of("r", request));
  }

  private static boolean verifies(String xOnlyHex, byte[] hash, String signatureHex) {
    BIP340Signer verifier = new BIP340Signer();
    verifier.init(false, BIP340Signer.decodePublicKey(Hex.decode("auditKey", xOnlyHex)));
    verifier.update(hash, 0, hash.length);
    return verifier.verifySignature(Hex.decode("signature", signatureHex));
  }

  private static String sha256Jcs(Object value) throws Exception {
    return Hex.encode(MessageDigest.getInstance("SHA-256").digest(Jcs.canonicalize(Json.MAPPER.valueToTree(value))));
  }

  @Test
  void theBootDocumentCommitsToTheAuditKey_andItsHashIsTheBootId() throws Exception {
    var boot = assertInstanceOf(EnclaveResponse.Attestation.class, enclave.handle(new EnclaveRequest.AuditBoot()));
    byte[] document = Base64.getDecoder().decode(boot.document());
    VerifiedAttestation verified = AttestationVerifier.builder()
        .trustedRoot(TrustedRoot.local(Files.readAllBytes(dir.resolve("local-nitro-root.pem"))))
        .pcrs(PcrPolicy.insecureNoCheck())
        .build()
        .verify(document);
    assertEquals(Hex.encode(KeepUserData.of(Hex.decode("k", boot.auditKey()), List.of())),
        Hex.encode(verified.userData().orElseThrow().bytes()));
    assertEquals(List.of(), boot.policies());
    assertSame(boot, enclave.handle(new EnclaveRequest.AuditBoot()), "one document per boot");

    SignedReceipt receipt = job(new EnclaveRequest.SignMessage(JOB_1, "open", "68656c6c6f", "bip340", null)).receipt();
    assertEquals(Hex.encode(MessageDigest.getInstance("SHA-256").digest(document)), receipt.receipt().bootId());
    assertEquals(boot.auditKey(), receipt.receipt().auditKey());
  }

  @Test
  void aSignatureARefusalAndADryRunEachGetAReceipt_chainedAndSigned() throws Exception {
    EnclaveRequest.SignMessage sign = new EnclaveRequest.SignMessage(JOB_1, "open", "68656c6c6f", "bip340", null);
    ResponseFrame signed = job(sign);
    ResponseFrame denied = job(new EnclaveRequest.SignMessage(JOB_2, "strict", "68656c6c6f", "bip340", null));
    ResponseFrame dryRun = job(new EnclaveRequest.EvaluatePolicy(
        new EnclaveRequest.SignMessage(JOB_3, "strict", "68656c6c6f", "bip340", null)));

    Receipt first = signed.receipt().receipt();
    assertEquals("SIGNED", first.decision());
    assertEquals(1, first.seq());
    assertEquals(Receipt.GENESIS, first.prev());
    assertEquals("tenant-a", first.tenant());
    assertEquals("message", first.kind());
    assertEquals(sha256Jcs(sign), first.requestDigest());
    assertEquals(sha256Jcs(signed.body()), first.resultDigest());
    assertEquals(1L, first.policyVersion());

    Receipt second = denied.receipt().receipt();
    assertInstanceOf(EnclaveResponse.Error.class, denied.body());
    assertEquals("REJECTED", second.decision());
    assertEquals("psbt-only", second.rule());
    assertTrue(second.reason().contains("message"), second.reason());
    assertNull(second.resultDigest());
    assertEquals(first.link(), second.prev());

    Receipt third = dryRun.receipt().receipt();
    assertEquals("EVALUATED", third.decision());
    assertEquals("psbt-only", third.rule());
    assertEquals(3, third.seq());
    assertEquals(second.link(), third.prev());

    for (ResponseFrame f : List.of(signed, denied, dryRun)) {
      assertTrue(verifies(f.receipt().receipt().auditKey(), f.receipt().receipt().signingHash(), f.receipt().signature()));
    }
  }

  @Test
  void aRedeliveredJobGetsTheSameReceipt_andNoDecisionMeansNoReceipt() {
    EnclaveRequest.SignMessage sign = new EnclaveRequest.SignMessage(JOB_1, "open", "68656c6c6f", "bip340", null);
    SignedReceipt first = job(sign).receipt();
    assertEquals(first, job(sign).receipt());
    ResponseFrame missing = job(new EnclaveRequest.SignMessage(JOB_2, "nobody", "68656c6c6f", "bip340", null));
    assertEquals(ErrorCode.KEY_NOT_FOUND, assertInstanceOf(EnclaveResponse.Error.class, missing.body()).code());
    assertNull(missing.receipt(), "the key is not held here: the host loads it and asks again");
    assertNull(job(new EnclaveRequest.ListKeys()).receipt(), "not a job");
    assertEquals(2, job(new EnclaveRequest.SignMessage(JOB_3, "open", "68656c6c6f", "bip340", null)).receipt().receipt()
        .seq());
  }

  @Test
  void onAPresentedState_aJobPresentedAgainGetsItsFirstAnswerAndReceipt_andOnAnotherStateANewOne() {
    EnclaveRequest.SignMessage sign = new EnclaveRequest.SignMessage(JOB_1, "open", "68656c6c6f", "bip340", null);
    dev.keep.schema.protocol.SealedBlob stored = host.states.get("open");
    ResponseFrame first = enclave.handle(RequestFrame.of("a", sign, stored));
    ResponseFrame again = enclave.handle(RequestFrame.of("b", sign, stored));
    assertEquals("b", again.requestId());
    assertEquals(first.body(), again.body(), "the same BIP-340 signature, not one with a fresh nonce");
    assertEquals(first.receipt(), again.receipt());
    assertEquals(first.sealed(), again.sealed(), "and the same charged state");
    // The charged state stored, the same job presented on it is decided again: a new receipt.
    dev.keep.schema.protocol.SealedBlob charged = first.sealed().stream()
        .filter(b -> b.kind().equals(dev.keep.schema.protocol.SealedBlob.STATE)).findFirst().orElseThrow();
    ResponseFrame onNewer = enclave.handle(RequestFrame.of("c", sign, charged));
    assertEquals(2, onNewer.receipt().receipt().seq());
    assertEquals(first.receipt().receipt().link(), onNewer.receipt().receipt().prev());
  }

  @Test
  void checkpointsAreAskedFor_andNoneIsDueBeforeItsTime() {
    assertNotNull(job(new EnclaveRequest.SignMessage(JOB_1, "open", "68656c6c6f", "bip340", null)).receipt());
    var due = assertInstanceOf(EnclaveResponse.Checkpoints.class, enclave.handle(new EnclaveRequest.AuditCheckpoints(false)));
    assertEquals(List.of(), due.checkpoints(), "1,000 receipts or five minutes");
    SignedReceipt second = job(new EnclaveRequest.SignMessage(JOB_2, "open", "68656c6c6f", "bip340", null)).receipt();
    var all = assertInstanceOf(EnclaveResponse.Checkpoints.class, enclave.handle(new EnclaveRequest.AuditCheckpoints(true)));
    assertEquals(1, all.checkpoints().size());
    var checkpoint = all.checkpoints().get(0);
    assertEquals(2, checkpoint.checkpoint().seq());
    assertEquals(second.receipt().link(), checkpoint.checkpoint().head());
    assertTrue(verifies(checkpoint.checkpoint().auditKey(), checkpoint.checkpoint().signingHash(), checkpoint.signature()));
    assertEquals(List.of(), assertInstanceOf(EnclaveResponse.Checkpoints.class,
        enclave.handle(new EnclaveRequest.AuditCheckpoints(true))).checkpoints(), "nothing new since");
  }

  @Test
  void aHostThatLostAReceiptCanAskForItAgain() {
    SignedReceipt first = job(new EnclaveRequest.SignMessage(JOB_1, "open", "68656c6c6f", "bip340", null)).receipt();
    SignedReceipt second = job(new EnclaveRequest.SignMessage(JOB_2, "open", "68656c6c6f", "bip340", null)).receipt();
    var found = assertInstanceOf(EnclaveResponse.Receipts.class,
        enclave.handle(new EnclaveRequest.AuditReceipts("tenant-a", 1, 5)));
    assertEquals(List.of(first, second), found.receipts());
    assertEquals(List.of(), assertInstanceOf(EnclaveResponse.Receipts.class,
        enclave.handle(new EnclaveRequest.AuditReceipts("tenant-b", 1, 5))).receipts(), "another tenant's chain");
  }
}
