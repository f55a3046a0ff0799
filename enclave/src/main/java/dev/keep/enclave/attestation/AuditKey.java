package dev.keep.enclave.attestation;

import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.SecretKey;
import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.enclave.signing.Digest32;
import dev.keep.enclave.signing.Message;
import dev.keep.enclave.signing.SchnorrSignature;
import dev.keep.enclave.signing.Signer;

/**
 * The enclave's audit key (ARCHITECTURE.md, "Audit"): a secp256k1 key drawn at boot from the
 * enclave's randomness (the NSM inside Nitro), never sealed, exported or logged. Its x-only public
 * key is committed to in every attestation document's {@code user_data} ({@code KeepUserData}),
 * so whatever it signs can be tied to an attested build.
 *
 * <p>It signs audit receipts and checkpoints ({@code audit.ReceiptIssuer}), which the enclave returns
 * with its answers. A new boot has a new key, named in that boot's attestation.
 */
public final class AuditKey implements AutoCloseable {
  private final SecretKey secret;
  private final PublicKey fullPublicKey;
  private final XOnlyPublicKey publicKey;

  private AuditKey(SecretKey secret, PublicKey fullPublicKey) {
    this.secret = secret;
    this.fullPublicKey = fullPublicKey;
    this.publicKey = fullPublicKey.xOnly();
  }

  public static AuditKey generate(Signer signer) {
    SecretKey secret = signer.generate();
    return new AuditKey(secret, signer.engine().publicKey(secret));
  }

  /** BIP-340 over a 32-byte tagged hash the caller made (a receipt's or a checkpoint's). */
  public SchnorrSignature sign(Signer signer, byte[] taggedHash) {
    return signer.schnorr(Message.of(Digest32.computed(taggedHash)), secret, fullPublicKey);
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
