package dev.keep.emulators.kms;

import dev.keep.schema.attestation.AttestationException;
import dev.keep.schema.attestation.AttestationVerifier;
import dev.keep.schema.attestation.AttestedPublicKey;
import dev.keep.schema.attestation.PcrPolicy;
import dev.keep.schema.attestation.TrustedRoot;
import dev.keep.schema.attestation.VerifiedAttestation;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.Optional;

/**
 * The {@code Recipient} request field of Decrypt, GenerateDataKey and GenerateRandom: {@code
 * {"AttestationDocument": blob, "KeyEncryptionAlgorithm": "RSAES_OAEP_SHA_256"}} (KMS API
 * reference, RecipientInfo; "How to make attested calls to AWS KMS",
 * https://docs.aws.amazon.com/kms/latest/developerguide/attested-calls.html).
 *
 * <p>The document must verify against this endpoint's trusted root, with its certificates valid
 * now, and carry a {@code public_key} that is a DER SubjectPublicKeyInfo of an RSA key of at least
 * 2048 bits (aws-nitro-enclaves-sdk-c, docs/kms-apis/RecipientRequest.md: "an RSA2048 key encoded
 * as a DER SubjectPublicKeyInfo"). PCRs are not checked here: that is the key policy's job.
 *
 * <p>Debug-mode documents (every PCR zero) are accepted, as AWS KMS accepts them: they are
 * genuinely signed, and their zero PCRs fail any policy that pins real measurements ("Enclaves
 * booted in debug mode generate attestation documents with PCRs that are made up entirely of
 * zeros", Nitro Enclaves user guide, getting-started.html). AWS's own KMS tool tutorial runs a
 * debug-mode enclave against a key whose policy allows kms:RecipientAttestation:ImageSha384 = 96
 * zeros: "In debug mode it's always 0, to differentiate between production-mode and debug-mode
 * enclaves" (aws-nitro-enclaves-sdk-c, docs/kmstool.md).
 *
 * <p>AWS documents no error type for a document that fails verification; this endpoint answers
 * ValidationException naming the check that failed.
 */
final class Recipients {
  static final String RSAES_OAEP_SHA_256 = "RSAES_OAEP_SHA_256";

  /** KMS API reference, RecipientInfo: AttestationDocument is 1 to 262144 bytes. */
  static final int MAX_DOCUMENT_BYTES = 262_144;

  static final int MIN_RSA_BITS = 2048;

  private final TrustedRoot root;
  private final AttestationVerifier verifier;
  private final Clock clock;

  Recipients(TrustedRoot root, Clock clock) {
    this.root = root;
    this.clock = clock;
    this.verifier =
        AttestationVerifier.builder()
            .trustedRoot(root)
            .pcrs(PcrPolicy.insecureNoCheck()) // the key policy decides on PCRs
            .allowDebug(true)
            .requirePublicKey(true)
            .build();
  }

  /** The verified Recipient of {@code request}, or empty when it has none. */
  Optional<AttestedRecipient> read(KmsRequest request) {
    Optional<KmsRequest> recipient = request.optionalObject("Recipient");
    if (recipient.isEmpty()) {
      return Optional.empty();
    }
    KmsRequest fields = recipient.get();
    String documentField = "AttestationDocument";
    byte[] document = fields.requiredBlob(documentField, 1, MAX_DOCUMENT_BYTES);
    // Optional in the API reference, and this is its only valid value, so absent means it.
    String algorithm =
        fields.optionalString("KeyEncryptionAlgorithm", 1, 64).orElse(RSAES_OAEP_SHA_256);
    if (!algorithm.equals(RSAES_OAEP_SHA_256)) {
      throw KmsException.validation(
          fields.path("KeyEncryptionAlgorithm"),
          "Member must satisfy enum value set: [" + RSAES_OAEP_SHA_256 + "]");
    }
    VerifiedAttestation attestation;
    try {
      attestation = verifier.verify(document, clock.instant());
    } catch (AttestationException e) {
      throw KmsException.validation(
          fields.path(documentField),
          "Member must be an attestation document that verifies against the "
              + root
              + "; it failed verification at the check "
              + e.getMessage());
    }
    // requirePublicKey(true) has made sure it is there.
    AttestedPublicKey publicKey = attestation.publicKey().orElseThrow();
    return Optional.of(
        new AttestedRecipient(rsaKey(publicKey, fields.path(documentField)), attestation.pcrs()));
  }

  private static RSAPublicKey rsaKey(AttestedPublicKey attested, String field) {
    PublicKey key;
    try {
      key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(attested.bytes()));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      key = null;
    }
    if (!(key instanceof RSAPublicKey rsa)) {
      throw KmsException.validation(
          field,
          "public_key must be a DER SubjectPublicKeyInfo of an RSA key, which "
              + RSAES_OAEP_SHA_256
              + " encrypts to");
    }
    if (rsa.getModulus().bitLength() < MIN_RSA_BITS) {
      throw KmsException.validation(
          field,
          "public_key is a "
              + rsa.getModulus().bitLength()
              + "-bit RSA key; at least "
              + MIN_RSA_BITS
              + " bits are required");
    }
    return rsa;
  }
}
