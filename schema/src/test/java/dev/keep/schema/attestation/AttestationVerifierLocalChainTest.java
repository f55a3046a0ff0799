package dev.keep.schema.attestation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.schema.attestation.AttestationException.BadSignature;
import dev.keep.schema.attestation.AttestationException.BrokenChain;
import dev.keep.schema.attestation.AttestationException.Malformed;
import dev.keep.schema.attestation.AttestationException.PublicKeyMissing;
import dev.keep.schema.attestation.AttestationException.UntrustedRoot;
import dev.keep.schema.attestation.AttestationException.WrongAlgorithm;
import dev.keep.schema.attestation.AttestationException.WrongDigest;
import dev.keep.schema.attestation.DocumentForge.CertificateShape;
import java.security.Signature;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The verifier against documents built here under a local root, one field or certificate changed
 * at a time: what the real document cannot show (no public_key, another digest, a broken chain).
 */
class AttestationVerifierLocalChainTest {
  private static final DocumentForge FORGE = new DocumentForge();

  private static AttestationVerifier.Builder local() {
    return AttestationVerifier.builder().trustedRoot(FORGE.trustedRoot()).pcrs(PcrPolicy.insecureNoCheck());
  }

  private static final AttestationVerifier VERIFIER = local().build();

  @Test
  void wellFormedDocument_verifiesUnderTheLocalRoot() throws Exception {
    VerifiedAttestation attestation = VERIFIER.verify(FORGE.document().encode());

    assertEquals("i-0123456789abcdef0-enc0123456789abcdef", attestation.moduleId());
    assertEquals(DocumentForge.TIMESTAMP, attestation.timestamp());
    assertFalse(attestation.debugMode());
    assertEquals(16, attestation.pcrs().asMap().size());
    assertEquals(3, attestation.publicKey().orElseThrow().length());
    assertEquals("070707", attestation.userData().orElseThrow().hex());
    assertEquals(Nonce.of(new byte[] {1, 2, 3, 4}), attestation.nonce().orElseThrow());
    assertEquals(3, attestation.chain().size());
  }

  @Test
  void localDocument_underTheDefaultAwsRoot_isUntrusted() {
    AttestationVerifier aws = AttestationVerifier.builder().pcrs(PcrPolicy.insecureNoCheck()).build();

    UntrustedRoot e = assertThrows(UntrustedRoot.class, () -> aws.verify(FORGE.document().encode()));
    assertTrue(e.getMessage().contains("expected the AWS Nitro Enclaves root G1"), e.getMessage());
  }

  @Test
  void absentPublicKey_whenRequired_fails() {
    AttestationVerifier verifier = local().requirePublicKey(true).build();

    for (byte[] document : List.of(
        FORGE.document().remove("public_key").encode(), FORGE.document().nil("public_key").encode())) {
      PublicKeyMissing e = assertThrows(PublicKeyMissing.class, () -> verifier.verify(document));
      assertEquals("public_key: the document has no public_key and one is required", e.getMessage());
    }
  }

  @Test
  void nullOptionalFields_readAsAbsent() throws Exception {
    VerifiedAttestation attestation = VERIFIER.verify(
        FORGE.document().nil("public_key").nil("user_data").nil("nonce").encode());

    assertTrue(attestation.publicKey().isEmpty());
    assertTrue(attestation.userData().isEmpty());
    assertTrue(attestation.nonce().isEmpty());
  }

  @Test
  void expectedNonce_missingFromTheDocument_fails() {
    AttestationVerifier verifier = local().expectedNonce(Nonce.of(new byte[] {9})).build();

    var e = assertThrows(
        AttestationException.NonceMismatch.class, () -> verifier.verify(FORGE.document().remove("nonce").encode()));
    assertEquals("nonce: expected nonce 09, the document has none", e.getMessage());
  }

  @Test
  void unknownPayloadFields_areTolerated() throws Exception {
    byte[] document = FORGE.document()
        .text("added_by_aws_later", "x")
        .field("another", w -> w.map(1).integer(-5).array(0))
        .encode();

    assertEquals(DocumentForge.TIMESTAMP, VERIFIER.verify(document).timestamp());
  }

  @Test
  void otherDigest_fails() {
    WrongDigest e = assertThrows(
        WrongDigest.class, () -> VERIFIER.verify(FORGE.document().text("digest", "SHA256").encode()));
    assertEquals("digest: digest is \"SHA256\", expected \"SHA384\"", e.getMessage());
  }

  @Test
  void protectedHeaderWithOtherAlgorithms_fails() {
    record Case(byte[] header, String message) {}
    List<Case> cases = List.of(
        new Case(new CborWriter().map(1).integer(1).integer(-7).toByteArray(), "algorithm: alg is -7, expected ES384 (-35)"),
        new Case(new CborWriter().map(1).integer(1).text("ES384").toByteArray(), "algorithm: alg is \"ES384\", expected ES384 (-35)"),
        new Case(new CborWriter().map(0).toByteArray(), "algorithm: protected header has no alg (1); expected ES384 (-35)"),
        new Case(new byte[0], "algorithm: protected header is empty; expected alg ES384 (-35)"));
    List<String> failures = new ArrayList<>();
    for (Case c : cases) {
      try {
        VERIFIER.verify(FORGE.document().protectedHeader(c.header()).encode());
        failures.add(c.message() + ": verified");
      } catch (WrongAlgorithm e) {
        if (!e.getMessage().equals(c.message())) {
          failures.add("expected " + c.message() + ", got " + e.getMessage());
        }
      } catch (AttestationException e) {
        failures.add("expected " + c.message() + ", got " + e);
      }
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void critOrAlgOutsideTheProtectedHeader_isMalformed() {
    byte[] crit = new CborWriter().map(2).integer(1).integer(-35).integer(2).array(1).integer(99).toByteArray();
    assertEquals(
        "structure: protected header: crit (2) is present; no critical header is supported",
        assertThrows(Malformed.class, () -> VERIFIER.verify(FORGE.document().protectedHeader(crit).encode()))
            .getMessage());

    byte[] unprotectedAlg = FORGE.document().unprotected(w -> w.map(1).integer(1).integer(-35)).encode();
    assertEquals(
        "structure: COSE_Sign1: unprotected header carries alg; it must be in the protected header only",
        assertThrows(Malformed.class, () -> VERIFIER.verify(unprotectedAlg)).getMessage());
  }

  @Test
  void otherUnprotectedHeaders_andTag18_areAccepted() throws Exception {
    byte[] document = FORGE.document().unprotected(w -> w.map(1).integer(4).bytes(new byte[] {1})).tagged().encode();

    assertEquals(3, VERIFIER.verify(document).chain().size());
  }

  /** Each field broken in one way; the message must name the field and the rule. */
  @Test
  void malformedPayloadFields_areNamed() {
    record Case(UnaryOperator<DocumentForge.Document> change, String message) {}
    List<Case> cases = List.of(
        new Case(d -> d.remove("module_id"), "module_id: missing"),
        new Case(d -> d.text("module_id", ""), "module_id: empty"),
        new Case(d -> d.bytes("module_id", new byte[1]), "module_id: a byte string, expected a text string"),
        new Case(d -> d.remove("digest"), "digest: missing"),
        new Case(d -> d.nil("digest"), "digest: null, expected a text string"),
        new Case(d -> d.text("timestamp", "2030"), "timestamp: a text string, expected an unsigned integer"),
        new Case(d -> d.field("timestamp", w -> w.integer(-1)), "timestamp: -1, must be greater than 0"),
        new Case(d -> d.field("timestamp", w -> w.unsigned(0)), "timestamp: 0, must be greater than 0"),
        new Case(d -> d.field("pcrs", w -> w.array(0)), "pcrs: an array, expected a map"),
        new Case(d -> d.field("pcrs", w -> w.map(0)), "pcrs: 0 entries, expected 1..32"),
        new Case(d -> d.pcrs(Map.of(0, new byte[48], 1, new byte[48], 2, new byte[32])), "pcrs[2]: 32 bytes, a SHA384 PCR is 48"),
        new Case(d -> d.pcrs(Map.of(0, new byte[48], 1, new byte[48], 32, new byte[48])), "pcrs: an index is 32, expected an integer 0..31"),
        new Case(d -> d.field("pcrs", w -> w.map(1).text("0").bytes(new byte[48])), "pcrs: an index is a text string, expected an integer 0..31"),
        new Case(d -> d.field("pcrs", w -> w.map(1).integer(-1).bytes(new byte[48])), "pcrs: an index is -1, expected an integer 0..31"),
        new Case(d -> d.pcrs(Map.of(0, new byte[48], 1, new byte[48])), "pcrs: PCR2 is missing"),
        new Case(d -> d.remove("certificate"), "certificate: missing"),
        new Case(d -> d.bytes("certificate", new byte[0]), "certificate: 0 bytes, expected 1..1024"),
        new Case(d -> d.bytes("certificate", new byte[1025]), "certificate: 1025 bytes, expected 1..1024"),
        new Case(d -> d.bytes("certificate", new byte[] {0x30, 0x00}), "certificate: not an X.509 certificate"),
        new Case(d -> d.field("cabundle", w -> w.array(0)), "cabundle: empty, expected the root and the intermediates"),
        new Case(d -> d.field("cabundle", w -> w.map(0)), "cabundle: a map, expected an array"),
        new Case(d -> d.field("cabundle", w -> w.array(1).text("x")), "cabundle[0]: a text string, expected a byte string"),
        new Case(d -> d.bytes("public_key", new byte[0]), "public_key: 0 bytes, expected 1..1024"),
        new Case(d -> d.text("user_data", "x"), "user_data: a text string, expected a byte string"),
        new Case(d -> d.bytes("nonce", new byte[1025]), "nonce: 1025 bytes, expected 0..1024"));
    List<String> failures = new ArrayList<>();
    for (Case c : cases) {
      try {
        VERIFIER.verify(c.change().apply(FORGE.document()).encode());
        failures.add(c.message() + ": verified");
      } catch (Malformed e) {
        if (!e.getMessage().startsWith("structure: " + c.message())) {
          failures.add("expected " + c.message() + ", got " + e.getMessage());
        }
      } catch (AttestationException e) {
        failures.add("expected " + c.message() + ", got " + e);
      }
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void payloadThatIsNotAMap_orHasDuplicateKeys_isMalformed() {
    assertEquals(
        "structure: payload: an array, expected a map",
        assertThrows(Malformed.class, () -> VERIFIER.verify(resign(new CborWriter().array(0).toByteArray())))
            .getMessage());

    byte[] duplicate = new CborWriter().map(2).text("digest").text("SHA384").text("digest").text("SHA384").toByteArray();
    Malformed e = assertThrows(Malformed.class, () -> VERIFIER.verify(resign(duplicate)));
    assertTrue(e.getMessage().startsWith("structure: payload: not CBOR: duplicate map key"), e.getMessage());
  }

  @Test
  void signatureByAnotherKey_orOfTheWrongLength_fails() {
    BadSignature other = assertThrows(
        BadSignature.class, () -> VERIFIER.verify(FORGE.document().signedBy(DocumentForge.p384().getPrivate()).encode()));
    assertTrue(other.getMessage().startsWith("signature: the COSE_Sign1 signature does not verify"), other.getMessage());

    byte[] document = FORGE.document().encode();
    byte[] truncated = withSignature(document, new byte[95]);
    assertEquals(
        "signature: the signature is 95 bytes, an ES384 signature (r||s) is 96",
        assertThrows(BadSignature.class, () -> VERIFIER.verify(truncated)).getMessage());
    assertThrows(BadSignature.class, () -> VERIFIER.verify(withSignature(document, new byte[96])));
  }

  @Test
  void leafThatIsACa_isABrokenChain() {
    DocumentForge forge = new DocumentForge(CertificateShape.LEAF_IS_CA);

    BrokenChain e = assertThrows(
        BrokenChain.class,
        () -> local(forge).verify(forge.document().encode()));
    assertEquals(
        "chain: leaf certificate \"CN=keep-test-leaf\" is a CA (basicConstraints cA true); the signing"
            + " certificate must not be",
        e.getMessage());
  }

  @Test
  void pathLongerThanTheRootAllows_isABrokenChain() {
    DocumentForge forge = new DocumentForge(CertificateShape.ROOT_PATH_LENGTH_ZERO);

    BrokenChain e = assertThrows(BrokenChain.class, () -> local(forge).verify(forge.document().encode()));
    assertEquals(
        "chain: root (cabundle[0]) certificate \"CN=keep-test-root\" has pathLenConstraint 0 but 1 CA"
            + " certificates follow it",
        e.getMessage());
  }

  @Test
  void intermediateWithoutKeyCertSign_isABrokenChain() {
    DocumentForge forge = new DocumentForge(CertificateShape.INTERMEDIATE_WITHOUT_KEY_CERT_SIGN);

    BrokenChain e = assertThrows(BrokenChain.class, () -> local(forge).verify(forge.document().encode()));
    assertEquals(
        "chain: intermediate (cabundle[1]) certificate \"CN=keep-test-intermediate\" lacks the keyCertSign key usage",
        e.getMessage());
  }

  @Test
  void cabundleWithoutTheIntermediate_isABrokenChain() {
    byte[] document = FORGE.document()
        .field("cabundle", w -> w.array(1).bytes(DocumentForge.encoded(FORGE.root)))
        .encode();

    BrokenChain e = assertThrows(BrokenChain.class, () -> VERIFIER.verify(document));
    assertEquals(
        "chain: leaf certificate \"CN=keep-test-leaf\" names issuer \"CN=keep-test-intermediate\", but the"
            + " root (cabundle[0]) certificate before it is \"CN=keep-test-root\"",
        e.getMessage());
  }

  @Test
  void intermediateFromAnotherChainWithTheSameName_isABrokenChain() {
    DocumentForge other = new DocumentForge();
    byte[] document = FORGE.document()
        .field("cabundle", w -> w.array(2).bytes(DocumentForge.encoded(FORGE.root)).bytes(DocumentForge.encoded(other.intermediate)))
        .encode();

    BrokenChain e = assertThrows(BrokenChain.class, () -> VERIFIER.verify(document));
    assertTrue(
        e.getMessage().startsWith("chain: intermediate (cabundle[1]) certificate \"CN=keep-test-intermediate\""
            + " is not signed by the root (cabundle[0]) certificate's key"),
        e.getMessage());
  }

  @Test
  void rootOutsideItsValidity_failsTheValidityCheck() {
    var e = assertThrows(
        AttestationException.CertificateNotValid.class,
        () -> VERIFIER.verify(FORGE.document().encode(), DocumentForge.NOT_AFTER.plusSeconds(1)));
    assertEquals("CN=keep-test-root", e.subject());
  }

  private static AttestationVerifier local(DocumentForge forge) {
    return AttestationVerifier.builder().trustedRoot(forge.trustedRoot()).pcrs(PcrPolicy.insecureNoCheck()).build();
  }

  /** A document whose payload is {@code payload}, correctly signed by the forge's leaf. */
  private static byte[] resign(byte[] payload) throws Exception {
    byte[] header = new CborWriter().map(1).integer(1).integer(-35).toByteArray();
    Signature signer = Signature.getInstance("SHA384withECDSAinP1363Format");
    signer.initSign(FORGE.leafKey.getPrivate());
    signer.update(new CoseSign1(header, payload, new byte[0]).toBeSigned());
    return new CborWriter().array(4).bytes(header).map(0).bytes(payload).bytes(signer.sign()).toByteArray();
  }

  private static byte[] withSignature(byte[] document, byte[] signature) {
    try {
      CoseSign1 cose = CoseSign1.decode(document);
      return new CborWriter().array(4).bytes(cose.protectedHeader()).map(0).bytes(cose.payload()).bytes(signature)
          .toByteArray();
    } catch (AttestationException e) {
      throw new AssertionError(e);
    }
  }
}
