package dev.keep.enclave.attestation;

import dev.keep.enclave.keys.SecretKey;
import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.enclave.signing.Signer;

/**
 * The enclave's audit key (ARCHITECTURE.md, "Audit"): a secp256k1 key drawn at boot from the
 * enclave's randomness (the NSM inside Nitro), never sealed, exported or logged. Its x-only public
 * key is committed to in every attestation document's {@code user_data} ({@code KeepUserData}),
 * so whatever it signs can be tied to an attested build.
 *
 * <p>It signs nothing yet: enclave-signed audit receipts are not built. A new boot has a new key,
 * named in that boot's attestation.
 */
public final class AuditKey implements AutoCloseable {
  private final SecretKey secret;
  private final XOnlyPublicKey publicKey;

  private AuditKey(SecretKey secret, XOnlyPublicKey publicKey) {
    this.secret = secret;
    this.publicKey = publicKey;
  }

  public static AuditKey generate(Signer signer) {
    SecretKey secret = signer.generate();
    return new AuditKey(secret, signer.engine().publicKey(secret).xOnly());
  }

  public XOnlyPublicKey publicKey() {
    return publicKey;
  }

  /** Wipes the secret; the enclave is shutting down. */
  @Override
  public void close() {
    secret.wipe();
  }

  @Override
  public String toString() {
    return "AuditKey[" + publicKey.toHex() + ", secret=<redacted>]";
  }
}
