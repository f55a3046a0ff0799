package dev.keep.enclave.attestation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import dev.keep.enclave.nsm.NsmClient;
import dev.keep.enclave.nsm.NsmException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local NSM's documents, checked with code that shares nothing with its writer: Jackson's CBOR
 * parser and generator, and the JDK's PKIX validator and P1363 ECDSA. Their shape is compared with
 * a real AWS document, {@code nitro/attestation-debug-2024-09-07.b64} from schema's test resources
 * (the {@code keep-schema:tests} jar).
 */
class LocalNsmTest {
  private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
  private static final CBORMapper CBOR = new CBORMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  private static LocalNsm nsm(LocalNitroAuthority authority, SortedMap<Integer, byte[]> pcrs) throws Exception {
    return new LocalNsm(authority, "i-local-enc0123456789abcdef", pcrs, RANDOM, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @Test
  void aDocumentVerifiesAgainstTheLocalRoot_asCoseSign1Es384(@TempDir Path dir) throws Exception {
    Path jar = Files.writeString(dir.resolve("enclave.jar"), "pretend enclave build");
    LocalNitroAuthority authority = LocalNitroAuthority.generate(RANDOM, NOW);
    SortedMap<Integer, byte[]> pcrs = LocalPcrs.ofBuild(jar, Path.of(System.getProperty("java.home")));
    byte[] nonce = new byte[] {1, 2, 3};
    byte[] userData = new byte[32];
    byte[] publicKey = new byte[294];
    byte[] document = new NsmClient(nsm(authority, pcrs)).attestation(userData, nonce, publicKey);

    JsonNode cose = CBOR.readTree(document);
    assertTrue(cose.isArray() && cose.size() == 4, "COSE_Sign1 is an array of four");
    byte[] protectedHeader = cose.get(0).binaryValue();
    assertEquals(-35, CBOR.readTree(protectedHeader).get("1").asInt(), "alg ES384");
    byte[] payload = cose.get(2).binaryValue();
    byte[] signature = cose.get(3).binaryValue();
    assertEquals(96, signature.length, "raw r‖s");
    JsonNode doc = CBOR.readTree(payload);
    assertEquals("SHA384", doc.get("digest").asText());
    assertEquals(NOW.toEpochMilli(), doc.get("timestamp").asLong());
    assertArrayEquals(nonce, doc.get("nonce").binaryValue());
    assertArrayEquals(userData, doc.get("user_data").binaryValue());
    assertArrayEquals(publicKey, doc.get("public_key").binaryValue());
    assertArrayEquals(pcrs.get(0), doc.get("pcrs").get("0").binaryValue());
    assertEquals(16, doc.get("pcrs").size());

    // The chain: leaf <- intermediate <- root (cabundle root first), valid at the document's time.
    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    X509Certificate leaf = (X509Certificate) x509.generateCertificate(
        new ByteArrayInputStream(doc.get("certificate").binaryValue()));
    List<X509Certificate> bundle = new ArrayList<>();
    for (JsonNode c : doc.get("cabundle")) {
      bundle.add((X509Certificate) x509.generateCertificate(new ByteArrayInputStream(c.binaryValue())));
    }
    assertEquals(authority.root(), bundle.get(0));
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(authority.root(), null)));
    params.setRevocationEnabled(false);
    params.setDate(Date.from(NOW));
    CertPathValidator.getInstance("PKIX").validate(x509.generateCertPath(List.of(leaf, bundle.get(1))), params);

    // The signature over Sig_structure, rebuilt with Jackson's generator.
    ByteArrayOutputStream toBeSigned = new ByteArrayOutputStream();
    try (CBORGenerator g = new CBORFactory().createGenerator(toBeSigned)) {
      g.writeStartArray(null, 4);
      g.writeString("Signature1");
      g.writeBinary(protectedHeader);
      g.writeBinary(new byte[0]);
      g.writeBinary(payload);
      g.writeEndArray();
    }
    Signature verifier = Signature.getInstance("SHA384withECDSAinP1363Format");
    verifier.initVerify(leaf.getPublicKey());
    verifier.update(toBeSigned.toByteArray());
    assertTrue(verifier.verify(signature));
    // One flipped payload byte and it no longer verifies.
    byte[] tampered = toBeSigned.toByteArray();
    tampered[tampered.length - 1] ^= 1;
    verifier.initVerify(leaf.getPublicKey());
    verifier.update(tampered);
    assertFalse(verifier.verify(signature));
  }

  /** The same fields, in the same order and of the same CBOR types, as AWS's real document. */
  @Test
  void theDocumentHasTheShapeOfAwssReal(@TempDir Path dir) throws Exception {
    byte[] real;
    try (InputStream in = LocalNsmTest.class.getResourceAsStream("/nitro/attestation-debug-2024-09-07.b64")) {
      real = Base64.getMimeDecoder().decode(new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip());
    }
    byte[] ours = new NsmClient(nsm(LocalNitroAuthority.generate(RANDOM, NOW), LocalPcrs.debug()))
        .attestation(new byte[32], new byte[8], new byte[294]);
    assertEquals(shape(CBOR.readTree(real)), shape(CBOR.readTree(ours)));
    assertEquals(fields(real), fields(ours));
    assertEquals(0x84, real[0] & 0xff, "an untagged array of four");
    assertEquals(0x84, ours[0] & 0xff);
    JsonNode realDoc = CBOR.readTree(CBOR.readTree(real).get(2).binaryValue());
    JsonNode ourDoc = CBOR.readTree(CBOR.readTree(ours).get(2).binaryValue());
    assertEquals(realDoc.get("pcrs").size(), ourDoc.get("pcrs").size());
    assertEquals(realDoc.get("pcrs").get("0").binaryValue().length, ourDoc.get("pcrs").get("0").binaryValue().length);
  }

  @Test
  void pcrsFollowTheBuild_andDebugModeIsAllZero(@TempDir Path dir) throws Exception {
    Path home = Path.of(System.getProperty("java.home"));
    SortedMap<Integer, byte[]> a = LocalPcrs.ofBuild(Files.writeString(dir.resolve("a.jar"), "build a"), home);
    SortedMap<Integer, byte[]> b = LocalPcrs.ofBuild(Files.writeString(dir.resolve("b.jar"), "build b"), home);
    assertFalse(java.util.Arrays.equals(a.get(0), b.get(0)));
    assertFalse(java.util.Arrays.equals(a.get(2), b.get(2)));
    assertArrayEquals(a.get(1), b.get(1), "same runtime, same PCR1");
    for (byte[] pcr : LocalPcrs.debug().values()) {
      assertArrayEquals(new byte[48], pcr);
    }
  }

  @Test
  void fieldsOverTheNsmsLimitsAreRefused_andRandomWorks() throws Exception {
    NsmClient client = new NsmClient(nsm(LocalNitroAuthority.generate(RANDOM, NOW), LocalPcrs.debug()));
    NsmException e = assertThrows(NsmException.class, () -> client.attestation(new byte[513], null, null));
    assertTrue(e.getMessage().contains("InputTooLarge"), e.getMessage());
    assertEquals(32, client.getRandom(32).length);
  }

  @Test
  void theRootPersists_soEveryProcessAgreesOnIt(@TempDir Path dir) throws Exception {
    LocalNitroAuthority first = LocalNitroAuthority.openOrCreate(dir, RANDOM, NOW);
    LocalNitroAuthority second = LocalNitroAuthority.openOrCreate(dir, RANDOM, NOW.plusSeconds(60));
    assertEquals(first.root(), second.root());
    assertEquals(first.root(), LocalNitroAuthority.readRoot(dir));
    // A leaf of the second process chains to the same root.
    second.intermediate().verify(first.root().getPublicKey());
  }

  private static String shape(JsonNode node) {
    return node.getNodeType() + (node.isArray() ? "[" + node.size() + "]" : "");
  }

  private static List<String> fields(byte[] cose) throws Exception {
    JsonNode doc = CBOR.readTree(CBOR.readTree(cose).get(2).binaryValue());
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = doc.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      names.add(name + ":" + doc.get(name).getNodeType());
    }
    return names;
  }
}
