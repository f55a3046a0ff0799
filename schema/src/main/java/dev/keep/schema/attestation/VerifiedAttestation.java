package dev.keep.schema.attestation;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a document says, once {@link AttestationVerifier} has checked all of it.
 *
 * @param moduleId the issuing NSM's module id ({@code i-...-enc...})
 * @param timestamp when the NSM made the document
 * @param pcrs every PCR the document reports
 * @param debugMode PCR0, PCR1 and PCR2 are all zero (only possible when debug mode was allowed)
 * @param publicKey the enclave's {@code public_key}, if any
 * @param userData the enclave's {@code user_data}, if any
 * @param nonce the {@code nonce}, if any
 * @param certificate the leaf certificate that signed the document
 * @param chain the verified path, root first, leaf last
 * @param verifiedAt the instant the certificates were checked at
 */
public record VerifiedAttestation(
    String moduleId,
    Instant timestamp,
    PcrSet pcrs,
    boolean debugMode,
    Optional<AttestedPublicKey> publicKey,
    Optional<UserData> userData,
    Optional<Nonce> nonce,
    X509Certificate certificate,
    List<X509Certificate> chain,
    Instant verifiedAt) {
  public VerifiedAttestation {
    chain = List.copyOf(chain);
  }
}
