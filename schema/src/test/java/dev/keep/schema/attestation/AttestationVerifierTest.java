package dev.keep.schema.attestation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.schema.attestation.AttestationException.BadSignature;
import dev.keep.schema.attestation.AttestationException.CertificateNotValid;
import dev.keep.schema.attestation.AttestationException.DebugMode;
import dev.keep.schema.attestation.AttestationException.Malformed;
import dev.keep.schema.attestation.AttestationException.NonceMismatch;
import dev.keep.schema.attestation.AttestationException.PcrMismatch;
import dev.keep.schema.attestation.AttestationException.UntrustedRoot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The verifier against a real document: a debug-mode enclave's attestation from 2024-09-07,
 * signed under the AWS Nitro root G1, with public_key, user_data and nonce each 1024 bytes of 0x01.
 */
class AttestationVerifierTest {
  static final Instant DOCUMENT_TIME = Instant.parse("2024-09-07T14:38:06.508Z");
  static final String MODULE_ID = "i-0a22e5c5f24d22174-enc0191ccebaf8feaba";
  static final String PCR4 =
      "45706d7b621e4620a332e147a5ddb000b049f73d47d3e61f6b03d2069152d4df6a4a786ad1c10102b955799a9dc96b44";
  static final String LEAF_SUBJECT =
      "CN=i-0a22e5c5f24d22174-enc0191ccebaf8feaba.us-east-1.aws,OU=AWS,O=Amazon,L=Seattle,ST=Washington,C=US";
  static final String ZERO_HEX = "0".repeat(96);

  static final AttestationVerifier DEBUG_NO_PCRS =
      AttestationVerifier.builder().pcrs(PcrPolicy.insecureNoCheck()).allowDebug(true).build();

  static byte[] realDocument() {
    try (InputStream in = AttestationVerifierTest.class.getResourceAsStream("/nitro/attestation-debug-2024-09-07.b64")) {
      return Base64.getMimeDecoder().decode(new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] ones(int length) {
    byte[] bytes = new byte[length];
    Arrays.fill(bytes, (byte) 1);
    return bytes;
  }

  @Test
  void realDocument_verifiesAtItsOwnTimestamp_whenDebugIsAllowed() throws Exception {
    VerifiedAttestation attestation = DEBUG_NO_PCRS.verify(realDocument());

    assertEquals(MODULE_ID, attestation.moduleId());
    assertEquals(DOCUMENT_TIME, attestation.timestamp());
    assertEquals(DOCUMENT_TIME, attestation.verifiedAt());
    assertTrue(attestation.debugMode());
    assertEquals(16, attestation.pcrs().asMap().size());
    assertEquals(Pcr.ZERO, attestation.pcrs().get(0).orElseThrow());
    assertEquals(PCR4, attestation.pcrs().get(4).orElseThrow().hex());
    assertArrayEquals(ones(1024), attestation.publicKey().orElseThrow().bytes());
    assertArrayEquals(ones(1024), attestation.userData().orElseThrow().bytes());
    assertEquals(Nonce.of(ones(1024)), attestation.nonce().orElseThrow());
    assertEquals(LEAF_SUBJECT, attestation.certificate().getSubjectX500Principal().getName());
    assertEquals(5, attestation.chain().size());
    assertEquals(TrustedRoot.awsNitro().certificate(), attestation.chain().getFirst());
  }

  @Test
  void realDocument_verifiesAgainstTheAllZeroPcrSet() throws Exception {
    AttestationVerifier verifier = AttestationVerifier.builder()
        .pcrs(PcrPolicy.anyOf(PcrSet.of(Pcr.ZERO, Pcr.ZERO, Pcr.ZERO)))
        .allowDebug(true)
        .build();

    assertTrue(verifier.verify(realDocument()).debugMode());
  }

  @Test
  void realDocument_verifiesWithTag18() throws Exception {
    byte[] document = realDocument();
    byte[] tagged = new byte[document.length + 1];
    tagged[0] = (byte) 0xd2;
    System.arraycopy(document, 0, tagged, 1, document.length);

    assertEquals(MODULE_ID, DEBUG_NO_PCRS.verify(tagged).moduleId());
  }

  @Test
  void realDocument_withoutAllowDebug_isRefusedAsDebugMode() {
    AttestationVerifier verifier = AttestationVerifier.builder()
        .pcrs(PcrPolicy.anyOf(PcrSet.of(Pcr.ZERO, Pcr.ZERO, Pcr.ZERO)))
        .build();

    DebugMode e = assertThrows(DebugMode.class, () -> verifier.verify(realDocument()));
    assertTrue(e.getMessage().startsWith("debug: PCR0, PCR1 and PCR2 are all zero"), e.getMessage());
  }

  @Test
  void realDocument_atTheCurrentTime_failsOnAnExpiredCertificate() {
    Instant now = Instant.now();

    CertificateNotValid e =
        assertThrows(CertificateNotValid.class, () -> DEBUG_NO_PCRS.verify(realDocument(), now));

    // The root lasts until 2049; the first intermediate after it expired on 2024-09-24.
    assertEquals("CN=ec28cbbaae08094d.us-east-1.aws.nitro-enclaves,OU=AWS,O=Amazon,C=US", e.subject());
    assertEquals(Instant.parse("2024-09-24T15:32:55Z"), e.notAfter());
    assertEquals(now, e.at());
    assertEquals(
        "validity: intermediate (cabundle[1]) certificate \"" + e.subject()
            + "\" expired: notAfter 2024-09-24T15:32:55Z is before the verification time " + now,
        e.getMessage());
  }

  @Test
  void realDocument_justAfterTheLeafExpired_namesTheLeaf() {
    Instant at = Instant.parse("2024-09-07T17:38:07Z");

    CertificateNotValid e =
        assertThrows(CertificateNotValid.class, () -> DEBUG_NO_PCRS.verify(realDocument(), at));

    assertEquals(LEAF_SUBJECT, e.subject());
    assertTrue(e.getMessage().startsWith("validity: leaf certificate"), e.getMessage());
    assertTrue(e.getMessage().contains("notAfter 2024-09-07T17:38:06Z"), e.getMessage());
  }

  @Test
  void realDocument_beforeTheLeafWasIssued_isNotYetValid() {
    Instant at = Instant.parse("2024-09-07T14:38:00Z");

    CertificateNotValid e =
        assertThrows(CertificateNotValid.class, () -> DEBUG_NO_PCRS.verify(realDocument(), at));

    assertEquals(
        "validity: leaf certificate \"" + LEAF_SUBJECT + "\" not yet valid: notBefore"
            + " 2024-09-07T14:38:03Z is after the verification time 2024-09-07T14:38:00Z",
        e.getMessage());
  }

  /**
   * Flips each byte of the document in turn (bit 0 everywhere; all eight bits in the COSE framing
   * and the protected header). Every variant must fail with an AttestationException: a parse
   * error, a signature or a chain failure, never a pass and never another exception.
   */
  @Test
  void realDocument_withAnySingleByteFlipped_neverVerifies() {
    byte[] document = realDocument();
    List<String> failures = new ArrayList<>();
    Map<String, Integer> byCheck = new TreeMap<>();
    int framing = 16; // 84 44 a1 01 38 22 a0 59 1d 06 and the first payload bytes
    for (int position = 0; position < document.length; position++) {
      boolean everyBit = position < framing || position >= document.length - 100;
      for (int bit = 0; bit < (everyBit ? 8 : 1); bit++) {
        byte[] flipped = document.clone();
        flipped[position] ^= (byte) (1 << bit);
        try {
          DEBUG_NO_PCRS.verify(flipped, DOCUMENT_TIME);
          failures.add("byte " + position + " bit " + bit + ": verified");
        } catch (AttestationException e) {
          byCheck.merge(e.check().label(), 1, Integer::sum);
        } catch (RuntimeException e) {
          failures.add("byte " + position + " bit " + bit + ": " + e);
        }
      }
    }
    assertEquals(List.of(), failures, "failures by check otherwise: " + byCheck);
    System.out.println("single-byte flips, failures by check: " + byCheck);
    // Flips in the framing break the parse, flips elsewhere the signature.
    assertTrue(byCheck.keySet().containsAll(List.of("structure", "signature")), byCheck::toString);
  }

  /**
   * Random damage beyond single flips: several bytes overwritten, a range deleted, bytes
   * inserted. Seeded; the seed is in the failure message.
   */
  @Test
  void realDocument_randomlyDamaged_failsOnlyWithAttestationException() {
    long seed = 20240907L;
    Random random = new Random(seed);
    byte[] document = realDocument();
    List<String> failures = new ArrayList<>();
    for (int round = 0; round < 2000; round++) {
      byte[] damaged = switch (round % 3) {
        case 0 -> {
          byte[] copy = document.clone();
          for (int n = 1 + random.nextInt(8); n > 0; n--) {
            copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
          }
          yield copy;
        }
        case 1 -> {
          int from = random.nextInt(document.length);
          int to = Math.min(document.length, from + 1 + random.nextInt(64));
          byte[] copy = new byte[document.length - (to - from)];
          System.arraycopy(document, 0, copy, 0, from);
          System.arraycopy(document, to, copy, from, document.length - to);
          yield copy;
        }
        default -> {
          int at = random.nextInt(document.length + 1);
          byte[] inserted = new byte[1 + random.nextInt(16)];
          random.nextBytes(inserted);
          byte[] copy = new byte[document.length + inserted.length];
          System.arraycopy(document, 0, copy, 0, at);
          System.arraycopy(inserted, 0, copy, at, inserted.length);
          System.arraycopy(document, at, copy, at + inserted.length, document.length - at);
          yield copy;
        }
      };
      try {
        DEBUG_NO_PCRS.verify(damaged, DOCUMENT_TIME);
        if (!Arrays.equals(damaged, document)) {
          failures.add("round " + round + ": verified");
        }
      } catch (AttestationException expected) {
        // the round passes
      } catch (RuntimeException e) {
        failures.add("round " + round + ": " + e);
      }
    }
    assertEquals(List.of(), failures, "seed " + seed);
  }

  @Test
  void realDocument_withAnotherNonceExpected_fails() {
    byte[] other = ones(1024);
    other[1023] = 2;
    AttestationVerifier verifier = DEBUG_NO_PCRS.withExpectedNonce(Nonce.of(other));

    NonceMismatch e = assertThrows(NonceMismatch.class, () -> verifier.verify(realDocument()));

    assertEquals(
        "nonce: expected nonce 01010101010101010101010101010101...01010102 (1024 bytes), the document"
            + " has 01010101010101010101010101010101...01010101 (1024 bytes)",
        e.getMessage());
  }

  @Test
  void realDocument_withItsNonceExpectedAndAPublicKeyRequired_verifies() throws Exception {
    AttestationVerifier verifier = AttestationVerifier.builder()
        .pcrs(PcrPolicy.insecureNoCheck())
        .allowDebug(true)
        .expectedNonce(Nonce.of(ones(1024)))
        .requirePublicKey(true)
        .build();

    assertEquals(1024, verifier.verify(realDocument()).nonce().orElseThrow().length());
  }

  @Test
  void realDocument_pcrMismatch_namesThePcrAndBothValues() {
    Pcr expected0 = Pcr.fromHex("ab".repeat(48));
    AttestationVerifier verifier = AttestationVerifier.builder()
        .pcrs(PcrPolicy.anyOf(PcrSet.of(expected0, Pcr.ZERO, Pcr.ZERO)))
        .allowDebug(true)
        .build();

    PcrMismatch e = assertThrows(PcrMismatch.class, () -> verifier.verify(realDocument()));

    assertEquals(
        "pcrs: the PCRs do not match the allowed set: PCR0 expected " + "ab".repeat(48) + " found " + ZERO_HEX,
        e.getMessage());
    assertEquals(List.of(new PcrMismatch.Difference(0, expected0, Pcr.ZERO)), e.differences());
  }

  @Test
  void realDocument_pcrMismatchAgainstSeveralSets_reportsTheClosest() {
    Pcr other = Pcr.fromHex("cd".repeat(48));
    AttestationVerifier verifier = AttestationVerifier.builder()
        .pcrs(PcrPolicy.anyOf(
            PcrSet.of(other, other, other),
            PcrSet.of(Map.of(0, Pcr.ZERO, 4, other, 20, Pcr.ZERO))))
        .allowDebug(true)
        .build();

    PcrMismatch e = assertThrows(PcrMismatch.class, () -> verifier.verify(realDocument()));

    assertEquals(
        "pcrs: the PCRs match none of the 2 allowed sets; closest is set 2: PCR4 expected "
            + other.hex() + " found " + PCR4 + "; PCR20 expected " + ZERO_HEX + " found (absent)",
        e.getMessage());
  }

  @Test
  void realDocument_underALocalRoot_isUntrusted() {
    AttestationVerifier verifier = AttestationVerifier.builder()
        .trustedRoot(new DocumentForge().trustedRoot())
        .pcrs(PcrPolicy.insecureNoCheck())
        .allowDebug(true)
        .build();

    UntrustedRoot e = assertThrows(UntrustedRoot.class, () -> verifier.verify(realDocument()));

    assertTrue(e.getMessage().startsWith("root: cabundle[0] is \"CN=aws.nitro-enclaves,OU=AWS,O=Amazon,C=US\""
        + " (SHA-256 641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b), expected the"
        + " local root \"CN=keep-test-root\""), e.getMessage());
  }

  @Test
  void realDocument_truncatedOrExtended_isMalformed() {
    byte[] document = realDocument();
    for (int length : new int[] {0, 1, 10, document.length - 1}) {
      assertThrows(Malformed.class, () -> DEBUG_NO_PCRS.verify(Arrays.copyOf(document, length)), "length " + length);
    }
    Malformed e = assertThrows(
        Malformed.class, () -> DEBUG_NO_PCRS.verify(Arrays.copyOf(document, document.length + 1)));
    assertEquals("structure: COSE_Sign1: not CBOR: 1 bytes after the item (offset 7538)", e.getMessage());
  }

  @Test
  void oversizedDocument_isMalformedBeforeParsing() {
    Malformed e = assertThrows(
        Malformed.class, () -> DEBUG_NO_PCRS.verify(new byte[AttestationVerifier.MAX_DOCUMENT_BYTES + 1]));
    assertEquals("structure: document: 32769 bytes, at most 32768", e.getMessage());
  }

  @Test
  void realDocument_withTheSignatureOfAnotherKey_failsTheSignatureCheck() {
    // Re-sign the real payload with a key that is not the leaf's.
    byte[] document = realDocument();
    CoseSign1 cose;
    try {
      cose = CoseSign1.decode(document);
    } catch (AttestationException e) {
      throw new AssertionError(e);
    }
    byte[] forged = new DocumentForge().document().encode();
    byte[] forgedSignature;
    try {
      forgedSignature = CoseSign1.decode(forged).signature();
    } catch (AttestationException e) {
      throw new AssertionError(e);
    }
    byte[] reassembled = new CborWriter().array(4).bytes(cose.protectedHeader()).map(0)
        .bytes(cose.payload()).bytes(forgedSignature).toByteArray();

    BadSignature e = assertThrows(BadSignature.class, () -> DEBUG_NO_PCRS.verify(reassembled));
    assertEquals(
        "signature: the COSE_Sign1 signature does not verify with the key of the leaf certificate \""
            + LEAF_SUBJECT + "\"",
        e.getMessage());
  }

  @Test
  void builder_withoutAPcrPolicy_isMisuse() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> AttestationVerifier.builder().build());
    assertFalse(e.getMessage().isEmpty());
  }
}
