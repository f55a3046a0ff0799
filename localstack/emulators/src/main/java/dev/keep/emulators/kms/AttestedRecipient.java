package dev.keep.emulators.kms;

import dev.keep.schema.attestation.Pcr;
import dev.keep.schema.attestation.PcrSet;
import java.security.interfaces.RSAPublicKey;
import java.util.Optional;

/**
 * A Recipient whose attestation document verified: the enclave's RSA key that
 * CiphertextForRecipient is encrypted to, and the measurements the key policy's
 * kms:RecipientAttestation conditions test.
 */
record AttestedRecipient(RSAPublicKey publicKey, PcrSet pcrs) {
  /** PCR {@code index} in lower-case hex, as KMS presents it to conditions. */
  Optional<String> pcr(int index) {
    return pcrs.get(index).map(Pcr::hex);
  }
}
