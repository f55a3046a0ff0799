package dev.keep.schema.attestation;

import dev.keep.schema.attestation.AttestationException.BadSignature;
import dev.keep.schema.attestation.AttestationException.DebugMode;
import dev.keep.schema.attestation.AttestationException.Malformed;
import dev.keep.schema.attestation.AttestationException.NonceMismatch;
import dev.keep.schema.attestation.AttestationException.PcrMismatch;
import dev.keep.schema.attestation.AttestationException.PublicKeyMissing;
import dev.keep.schema.attestation.AttestationException.WrongDigest;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.ProviderException;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Verifies AWS Nitro Enclaves attestation documents (docs/attestation_process.md in
 * aws-nitro-enclaves-nsm-api; RFC 9052 COSE_Sign1; RFC 8949 CBOR). Immutable and thread-safe.
 *
 * <p>The checks, in order; the first that fails throws its {@link AttestationException}:
 *
 * <ol>
 *   <li>structure: at most 32 KiB, strict CBOR, a COSE_Sign1 (tag 18 or none) whose payload
 *       has every required field with its exact type;
 *   <li>algorithm: the protected header says alg ES384 (-35);
 *   <li>signature: ECDSA P-384 / SHA-384 over the Sig_structure, with the leaf certificate's key;
 *   <li>root, chain, validity: {@code cabundle[0]} is the trusted root, the path to the leaf is
 *       sound, and every certificate is valid at the verification time;
 *   <li>digest: "SHA384";
 *   <li>debug: PCR0..2 all zero is refused unless debug mode is allowed;
 *   <li>pcrs: the document matches one of the allowed sets (unless the policy checks none);
 *   <li>nonce: equal to the expected one, when one is expected;
 *   <li>public_key: present, when required.
 * </ol>
 *
 * <p>The verification time is the document's own timestamp unless the caller gives one. A
 * document stays verifiable after its short-lived leaf expires, which is what an auditor needs;
 * freshness comes from the nonce, not from the clock.
 *
 * <pre>{@code
 * AttestationVerifier verifier = AttestationVerifier.builder()
 *     .pcrs(PcrPolicy.anyOf(PcrSet.of(pcr0, pcr1, pcr2)))
 *     .expectedNonce(nonce)
 *     .requirePublicKey(true)
 *     .build();                           // trusts the AWS Nitro root G1
 * VerifiedAttestation attestation = verifier.verify(document);
 * }</pre>
 */
public final class AttestationVerifier {
  /** The largest document accepted: the payload is at most 16 KiB (§3.1), the rest is small. */
  public static final int MAX_DOCUMENT_BYTES = 32 * 1024;

  /** §3.1: {@code payload: bstr .size (1..16384)}. */
  static final int MAX_PAYLOAD_BYTES = 16 * 1024;

  /** RFC 9053 §2.1: an ES384 signature is r and s, 48 bytes each. */
  static final int ES384_SIGNATURE_BYTES = 96;

  private static final ECParameterSpec P384 = p384();

  private final TrustedRoot root;
  private final PcrPolicy pcrPolicy;
  private final boolean allowDebug;
  private final Nonce expectedNonce;
  private final boolean requirePublicKey;

  private AttestationVerifier(Builder builder) {
    this.root = builder.root != null ? builder.root : TrustedRoot.awsNitro();
    this.pcrPolicy = builder.pcrPolicy;
    this.allowDebug = builder.allowDebug;
    this.expectedNonce = builder.expectedNonce;
    this.requirePublicKey = builder.requirePublicKey;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** This verifier, expecting {@code nonce}: the usual way to check one challenge's answer. */
  public AttestationVerifier withExpectedNonce(Nonce nonce) {
    return toBuilder().expectedNonce(nonce).build();
  }

  /** Verifies {@code document} (raw CBOR) with its certificates checked at its own timestamp. */
  public VerifiedAttestation verify(byte[] document) throws AttestationException {
    return verify(document, null);
  }

  /**
   * Verifies {@code document} (raw CBOR) with its certificates checked at {@code at}, or at the
   * document's timestamp when {@code at} is null.
   */
  public VerifiedAttestation verify(byte[] document, Instant at) throws AttestationException {
    Objects.requireNonNull(document, "document");
    if (document.length > MAX_DOCUMENT_BYTES) {
      throw new Malformed("document: " + document.length + " bytes, at most " + MAX_DOCUMENT_BYTES);
    }
    CoseSign1 cose = CoseSign1.decode(document);
    if (cose.payload().length == 0 || cose.payload().length > MAX_PAYLOAD_BYTES) {
      throw new Malformed("payload: " + cose.payload().length + " bytes, expected 1.." + MAX_PAYLOAD_BYTES);
    }
    AttestationPayload payload = AttestationPayload.decode(cose.payload());
    X509Certificate leaf = CertificateChain.parse(payload.certificate(), "certificate");
    checkSignature(cose, leaf);

    Instant timestamp = Instant.ofEpochMilli(payload.timestampMillis());
    Instant checkedAt = at != null ? at : timestamp;
    List<X509Certificate> chain = CertificateChain.verify(root, payload.cabundle(), leaf, checkedAt);

    if (!payload.digest().equals("SHA384")) {
      throw new WrongDigest(payload.digest());
    }
    boolean debugMode = payload.pcrs().isDebugMode();
    if (debugMode && !allowDebug) {
      throw new DebugMode();
    }
    if (pcrPolicy instanceof PcrPolicy.AnyOf anyOf) {
      checkPcrs(anyOf.sets(), payload.pcrs());
    }
    if (expectedNonce != null
        && !payload.nonce().map(expectedNonce::equals).orElse(false)) {
      throw new NonceMismatch(expectedNonce, payload.nonce().orElse(null));
    }
    if (requirePublicKey && payload.publicKey().isEmpty()) {
      throw new PublicKeyMissing();
    }
    return new VerifiedAttestation(
        payload.moduleId(),
        timestamp,
        payload.pcrs(),
        debugMode,
        payload.publicKey(),
        payload.userData(),
        payload.nonce(),
        leaf,
        chain,
        checkedAt);
  }

  /** RFC 9052 §4.4 with RFC 9053 §2.1: ECDSA P-384 / SHA-384, signature r‖s. */
  private static void checkSignature(CoseSign1 cose, X509Certificate leaf) throws BadSignature {
    if (!(leaf.getPublicKey() instanceof ECPublicKey key) || !isP384(key.getParams())) {
      throw new BadSignature(
          "the leaf certificate's key is " + leaf.getPublicKey().getAlgorithm() + ", not EC P-384 as ES384 needs");
    }
    byte[] signature = cose.signature();
    if (signature.length != ES384_SIGNATURE_BYTES) {
      throw new BadSignature(
          "the signature is " + signature.length + " bytes, an ES384 signature (r||s) is " + ES384_SIGNATURE_BYTES);
    }
    boolean valid;
    try {
      // The JDK's P1363 format is COSE's: r and s as fixed-length big-endian integers.
      Signature verifier = Signature.getInstance("SHA384withECDSAinP1363Format");
      verifier.initVerify(key);
      verifier.update(cose.toBeSigned());
      valid = verifier.verify(signature);
    } catch (SignatureException | InvalidKeyException | ProviderException e) {
      valid = false;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA384withECDSAinP1363Format is not available", e);
    }
    if (!valid) {
      throw new BadSignature(
          "the COSE_Sign1 signature does not verify with the key of the leaf certificate \""
              + leaf.getSubjectX500Principal().getName() + "\"");
    }
  }

  private static void checkPcrs(List<PcrSet> allowed, PcrSet found) throws PcrMismatch {
    List<PcrMismatch.Difference> closest = null;
    int closestIndex = -1;
    for (int i = 0; i < allowed.size(); i++) {
      List<PcrMismatch.Difference> differences = new ArrayList<>();
      for (var expected : allowed.get(i).asMap().entrySet()) {
        Pcr actual = found.get(expected.getKey()).orElse(null);
        if (!expected.getValue().equals(actual)) {
          differences.add(new PcrMismatch.Difference(expected.getKey(), expected.getValue(), actual));
        }
      }
      if (differences.isEmpty()) {
        return;
      }
      if (closest == null || differences.size() < closest.size()) {
        closest = differences;
        closestIndex = i;
      }
    }
    throw new PcrMismatch(allowed.size(), closestIndex, closest);
  }

  private static boolean isP384(ECParameterSpec params) {
    return params.getOrder().equals(P384.getOrder())
        && params.getCurve().equals(P384.getCurve())
        && params.getGenerator().equals(P384.getGenerator())
        && params.getCofactor() == P384.getCofactor();
  }

  private static ECParameterSpec p384() {
    try {
      AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
      parameters.init(new ECGenParameterSpec("secp384r1"));
      return parameters.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private Builder toBuilder() {
    Builder builder = new Builder();
    builder.root = root;
    builder.pcrPolicy = pcrPolicy;
    builder.allowDebug = allowDebug;
    builder.expectedNonce = expectedNonce;
    builder.requirePublicKey = requirePublicKey;
    return builder;
  }

  /** Settings; only the PCR policy has no default. */
  public static final class Builder {
    private TrustedRoot root;
    private PcrPolicy pcrPolicy;
    private boolean allowDebug;
    private Nonce expectedNonce;
    private boolean requirePublicKey;

    private Builder() {}

    /** The root the chain must start from; {@link TrustedRoot#awsNitro()} when not set. */
    public Builder trustedRoot(TrustedRoot root) {
      this.root = Objects.requireNonNull(root, "root");
      return this;
    }

    /** Required: the allowed PCR sets, or {@link PcrPolicy#insecureNoCheck()}. */
    public Builder pcrs(PcrPolicy policy) {
      this.pcrPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Accept a debug-mode enclave (PCR0..2 all zero). Off by default. */
    public Builder allowDebug(boolean allow) {
      this.allowDebug = allow;
      return this;
    }

    /** The nonce the document must carry; null for none expected. */
    public Builder expectedNonce(Nonce nonce) {
      this.expectedNonce = nonce;
      return this;
    }

    /** Whether the document must carry a {@code public_key}. Off by default. */
    public Builder requirePublicKey(boolean require) {
      this.requirePublicKey = require;
      return this;
    }

    /** @throws IllegalStateException when no PCR policy was given */
    public AttestationVerifier build() {
      if (pcrPolicy == null) {
        throw new IllegalStateException(
            "no PCR policy: give the allowed PCR sets, or PcrPolicy.insecureNoCheck() to check none");
      }
      return new AttestationVerifier(this);
    }
  }
}
