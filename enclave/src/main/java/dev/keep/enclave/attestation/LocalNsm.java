package dev.keep.enclave.attestation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import dev.keep.enclave.nsm.NsmDevice;
import dev.keep.schema.attestation.CborWriter;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.time.Clock;
import java.util.Map;
import java.util.SortedMap;

/**
 * Local mode's Nitro Security Module, in software. It answers the two requests Keep makes, over
 * the same CBOR messages as {@code /dev/nsm}:
 *
 * <ul>
 *   <li>{@code GetRandom}: 256 bytes from {@link SecureRandom};
 *   <li>{@code Attestation}: a real COSE_Sign1 document (RFC 9052 §4.2, ES384 over the
 *       Sig_structure, raw r‖s signature), whose payload is the attestation document AWS
 *       specifies: module_id, digest "SHA384", timestamp, pcrs, certificate, cabundle (root first),
 *       public_key, user_data, nonce. It is signed by this boot's leaf of {@link
 *       LocalNitroAuthority}, so it verifies against the local root exactly as an enclave's
 *       document verifies against the AWS root.
 * </ul>
 *
 * Anything else is answered {@code {"Error": "InvalidOperation"}}; a field over the NSM's limits
 * {@code {"Error": "InputTooLarge"}}.
 */
public final class LocalNsm implements NsmDevice {
  /** The NSM's limits on the caller's fields (AWS Nitro Enclaves attestation: 512, 512, 1024 bytes). */
  static final int MAX_USER_DATA = 512;
  static final int MAX_NONCE = 512;
  static final int MAX_PUBLIC_KEY = 1024;
  static final int RANDOM_BYTES = 256;

  /** A request map with a key twice is refused, as the JSON readers refuse it ({@code Json.builder()}). */
  private static final CBORMapper REQUESTS =
      CBORMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  /** COSE protected header {1: -35}: alg ES384 (RFC 9053 §2.1). */
  private static final byte[] PROTECTED = new CborWriter().map(1).unsigned(1).integer(-35).toByteArray();

  private final LocalNitroAuthority authority;
  private LocalNitroAuthority.Leaf leaf;
  private final String moduleId;
  private final SortedMap<Integer, byte[]> pcrs;
  private final SecureRandom random;
  private final Clock clock;

  public LocalNsm(LocalNitroAuthority authority, String moduleId, SortedMap<Integer, byte[]> pcrs, SecureRandom random,
      Clock clock) throws GeneralSecurityException {
    this.authority = authority;
    this.moduleId = moduleId;
    this.pcrs = pcrs;
    this.random = random;
    this.clock = clock;
    this.leaf = authority.issueLeaf(moduleId, clock.instant());
  }

  @Override
  public byte[] call(byte[] cborRequest) {
    JsonNode request;
    try {
      request = REQUESTS.readTree(cborRequest);
    } catch (IOException e) {
      return error("InvalidOperation");
    }
    if (request.isTextual() && request.textValue().equals("GetRandom")) {
      byte[] bytes = new byte[RANDOM_BYTES];
      random.nextBytes(bytes);
      return new CborWriter().map(1).text("GetRandom").map(1).text("random").bytes(bytes).toByteArray();
    }
    JsonNode fields = request.path("Attestation");
    if (!request.isObject() || request.size() != 1 || !fields.isObject()) {
      return error("InvalidOperation");
    }
    if (fields.size() != 3 || !optionalBinary(fields.get("user_data")) || !optionalBinary(fields.get("nonce"))
        || !optionalBinary(fields.get("public_key"))) {
      return error("InvalidArgument");
    }
    byte[] userData = optionalBytes(fields.get("user_data"));
    byte[] nonce = optionalBytes(fields.get("nonce"));
    byte[] publicKey = optionalBytes(fields.get("public_key"));
    if (length(userData) > MAX_USER_DATA || length(nonce) > MAX_NONCE || length(publicKey) > MAX_PUBLIC_KEY) {
      return error("InputTooLarge");
    }
    try {
      renewLeaf();
      byte[] document = sign(payload(userData, nonce, publicKey));
      return new CborWriter().map(1).text("Attestation").map(1).text("document").bytes(document).toByteArray();
    } catch (GeneralSecurityException e) {
      return error("InternalError");
    }
  }

  /**
   * A new leaf once this one is within ten minutes of its end, as the NSM's certificates rotate, so
   * a local enclave that runs for days still attests with certificates that are valid now.
   */
  private synchronized void renewLeaf() throws GeneralSecurityException {
    if (clock.instant().plus(java.time.Duration.ofMinutes(10)).isAfter(leaf.certificate().getNotAfter().toInstant())) {
      leaf = authority.issueLeaf(moduleId, clock.instant());
    }
  }

  /** The attestation document (AWS's field order), CBOR. */
  private byte[] payload(byte[] userData, byte[] nonce, byte[] publicKey) throws CertificateEncodingException {
    CborWriter doc = new CborWriter().map(9)
        .text("module_id").text(moduleId)
        .text("digest").text("SHA384")
        .text("timestamp").unsigned(clock.millis())
        .text("pcrs").map(pcrs.size());
    for (Map.Entry<Integer, byte[]> pcr : pcrs.entrySet()) {
      doc.unsigned(pcr.getKey()).bytes(pcr.getValue());
    }
    doc.text("certificate").bytes(leaf.certificate().getEncoded())
        .text("cabundle").array(2).bytes(authority.root().getEncoded()).bytes(authority.intermediate().getEncoded())
        .text("public_key").optionalBytes(publicKey)
        .text("user_data").optionalBytes(userData)
        .text("nonce").optionalBytes(nonce);
    return doc.toByteArray();
  }

  /** COSE_Sign1 (RFC 9052 §4.2, §4.4): Sig_structure ["Signature1", protected, h'', payload]. */
  private byte[] sign(byte[] payload) throws GeneralSecurityException {
    byte[] toBeSigned = new CborWriter().array(4).text("Signature1").bytes(PROTECTED).bytes(new byte[0]).bytes(payload)
        .toByteArray();
    // COSE carries ECDSA as the fixed-size r‖s of IEEE P1363 (RFC 9053 §2.1), not DER.
    Signature signer = Signature.getInstance("SHA384withECDSAinP1363Format");
    signer.initSign(leaf.key().getPrivate(), random);
    signer.update(toBeSigned);
    byte[] raw = signer.sign();
    return new CborWriter().array(4).bytes(PROTECTED).map(0).bytes(payload).bytes(raw).toByteArray();
  }

  /** Present, and CBOR null or a byte string (serde's Option<ByteBuf>). */
  private static boolean optionalBinary(JsonNode node) {
    return node != null && (node.isNull() || node.isBinary());
  }

  private static byte[] optionalBytes(JsonNode node) {
    if (node.isNull()) {
      return null;
    }
    try {
      return node.binaryValue();
    } catch (IOException e) {
      throw new IllegalStateException("a binary node has its bytes", e);
    }
  }

  private static int length(byte[] value) {
    return value == null ? 0 : value.length;
  }

  private static byte[] error(String code) {
    return new CborWriter().map(1).text("Error").text(code).toByteArray();
  }
}
