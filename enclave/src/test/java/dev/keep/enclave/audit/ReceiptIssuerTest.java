package dev.keep.enclave.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.attestation.AuditKey;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.enclave.signing.Signer;
import dev.keep.schema.audit.Checkpoint;
import dev.keep.schema.audit.Receipt;
import dev.keep.schema.audit.SignedReceipt;
import dev.keep.schema.encoding.Hex;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.crypto.signers.BIP340Signer;
import org.junit.jupiter.api.Test;

/** Issue 19's receipts as the enclave issues them, each signature checked with BouncyCastle's BIP-340. */
class ReceiptIssuerTest {
  private static final Signer SIGNER = new Signer(new LibSecp256k1Engine(), new SecureRandom());
  private static final String BOOT = "ab".repeat(32);

  private static ReceiptIssuer issuer(AuditKey key, Clock clock) {
    return new ReceiptIssuer(key, SIGNER, BOOT, clock, 10_000, 1_000, Duration.ofMinutes(5));
  }

  private static ReceiptIssuer.Decision decision(String jobId, String decision) {
    return new ReceiptIssuer.Decision(jobId, "t-1", "k-1", "message", "33".repeat(32), decision,
        decision.equals("SIGNED") ? null : "MaxAmountSats", decision.equals("SIGNED") ? null : "over the limit", 1L,
        "44".repeat(32), decision.equals("SIGNED") ? "66".repeat(32) : null);
  }

  /** BouncyCastle's BIP-340, which shares no code with libsecp256k1, over the 32-byte tagged hash. */
  private static boolean verifies(String xOnlyHex, byte[] hash, String signatureHex) {
    BIP340Signer verifier = new BIP340Signer();
    verifier.init(false, BIP340Signer.decodePublicKey(Hex.decode("auditKey", xOnlyHex)));
    verifier.update(hash, 0, hash.length);
    return verifier.verifySignature(Hex.decode("signature", signatureHex));
  }

  @Test
  void receiptsAreNumberedFromOne_linkedToThePrevious_andSignedByTheAuditKey() {
    try (AuditKey key = AuditKey.generate(SIGNER)) {
      ReceiptIssuer issuer = issuer(key, Clock.systemUTC());
      SignedReceipt first = issuer.issue(decision("job-1", "SIGNED"));
      SignedReceipt second = issuer.issue(decision("job-2", "REJECTED"));
      SignedReceipt third = issuer.issue(decision("job-3", "EVALUATED"));
      assertEquals(List.of(1L, 2L, 3L), List.of(first.receipt().seq(), second.receipt().seq(), third.receipt().seq()));
      assertEquals(Receipt.GENESIS, first.receipt().prev());
      assertEquals(first.receipt().link(), second.receipt().prev());
      assertEquals(second.receipt().link(), third.receipt().prev());
      for (SignedReceipt r : List.of(first, second, third)) {
        assertEquals(key.publicKey().toHex(), r.receipt().auditKey());
        assertEquals(BOOT, r.receipt().bootId());
        assertTrue(verifies(r.receipt().auditKey(), r.receipt().signingHash(), r.signature()), r.toString());
      }
      // A receipt altered after signing no longer verifies.
      Receipt r = second.receipt();
      Receipt edited = new Receipt(r.v(), r.seq(), r.prev(), r.bootId(), r.time(), r.jobId(), r.tenant(), r.keyId(),
          r.kind(), r.requestDigest(), "SIGNED", r.rule(), r.reason(), r.policyVersion(), r.policyHash(),
          r.resultDigest(), r.auditKey());
      assertFalse(verifies(r.auditKey(), edited.signingHash(), second.signature()));
    }
  }

  @Test
  void aJobDecidedAgainGetsTheReceiptAlreadyIssued_andTheChainDoesNotMove() {
    try (AuditKey key = AuditKey.generate(SIGNER)) {
      ReceiptIssuer issuer = issuer(key, Clock.systemUTC());
      SignedReceipt first = issuer.issue(decision("job-1", "SIGNED"));
      assertSame(first, issuer.issue(decision("job-1", "SIGNED")));
      assertEquals(2, issuer.issue(decision("job-2", "SIGNED")).receipt().seq());
      assertEquals(first, issuer.issued("job-1").orElseThrow());
    }
  }

  @Test
  void aJobDecidedAgainToAnotherEffect_getsANewReceipt() {
    try (AuditKey key = AuditKey.generate(SIGNER)) {
      ReceiptIssuer issuer = issuer(key, Clock.systemUTC());
      SignedReceipt first = issuer.issue(decision("job-1", "SIGNED"));
      SignedReceipt again = issuer.issue(decision("job-1", "REJECTED"));
      assertEquals(2, again.receipt().seq());
      assertEquals(first.receipt().link(), again.receipt().prev());
    }
  }

  @Test
  void eachTenantHasItsOwnChain_fromOne() {
    try (AuditKey key = AuditKey.generate(SIGNER)) {
      ReceiptIssuer issuer = issuer(key, Clock.systemUTC());
      issuer.issue(decision("job-1", "SIGNED"));
      SignedReceipt other = issuer.issue(new ReceiptIssuer.Decision("job-2", "t-2", "k-9", "message", "33".repeat(32),
          "SIGNED", null, null, null, null, "66".repeat(32)));
      SignedReceipt second = issuer.issue(decision("job-3", "SIGNED"));
      assertEquals(1, other.receipt().seq());
      assertEquals(Receipt.GENESIS, other.receipt().prev());
      assertEquals(2, second.receipt().seq());
      assertEquals(2, issuer.checkpointAll().size());
      assertTrue(Instant.parse(second.receipt().time()).isAfter(Instant.parse(other.receipt().time())),
          "times strictly increase within the boot");
    }
  }

  @Test
  void manyConnectionsAtOnce_stillMakeOneGapFreeChain() throws Exception {
    try (AuditKey key = AuditKey.generate(SIGNER); ExecutorService pool = Executors.newFixedThreadPool(8)) {
      ReceiptIssuer issuer = issuer(key, Clock.systemUTC());
      List<Future<SignedReceipt>> futures = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        String jobId = "job-" + i;
        futures.add(pool.submit(() -> issuer.issue(decision(jobId, "SIGNED"))));
      }
      List<SignedReceipt> all = new ArrayList<>();
      for (Future<SignedReceipt> f : futures) {
        all.add(f.get());
      }
      all.sort(Comparator.comparingLong(r -> r.receipt().seq()));
      String prev = Receipt.GENESIS;
      for (int i = 0; i < all.size(); i++) {
        assertEquals(i + 1, all.get(i).receipt().seq());
        assertEquals(prev, all.get(i).receipt().prev(), "seq " + (i + 1));
        prev = all.get(i).receipt().link();
      }
    }
  }

  @Test
  void aCheckpointIsDueEveryNReceiptsOrAfterAWhile_andSignsTheHead() {
    Instant[] now = {Instant.parse("2026-12-02T12:00:00Z")};
    Clock clock = new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return now[0];
      }
    };
    try (AuditKey key = AuditKey.generate(SIGNER)) {
      ReceiptIssuer issuer = new ReceiptIssuer(key, SIGNER, BOOT, clock, 100, 3, Duration.ofMinutes(5));
      assertEquals(List.of(), issuer.dueCheckpoints(), "nothing to checkpoint");
      issuer.issue(decision("a", "SIGNED"));
      issuer.issue(decision("b", "SIGNED"));
      assertEquals(List.of(), issuer.dueCheckpoints());
      SignedReceipt third = issuer.issue(decision("c", "SIGNED"));
      List<Checkpoint.Signed> due = issuer.dueCheckpoints();
      assertEquals(1, due.size(), "every 3 receipts");
      Checkpoint.Signed checkpoint = due.get(0);
      assertEquals(3, checkpoint.checkpoint().seq());
      assertEquals("t-1", checkpoint.checkpoint().tenant());
      assertEquals(third.receipt().link(), checkpoint.checkpoint().head());
      assertTrue(verifies(key.publicKey().toHex(), checkpoint.checkpoint().signingHash(), checkpoint.signature()));
      assertEquals(List.of(), issuer.dueCheckpoints());
      issuer.issue(decision("d", "SIGNED"));
      assertEquals(List.of(), issuer.dueCheckpoints());
      now[0] = now[0].plus(Duration.ofMinutes(5));
      assertEquals(4, issuer.dueCheckpoints().get(0).checkpoint().seq(), "five minutes with a receipt since the last");
      assertEquals(List.of(), issuer.dueCheckpoints());
    }
  }
}
