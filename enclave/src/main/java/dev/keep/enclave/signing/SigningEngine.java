package dev.keep.enclave.signing;

import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.SecretKey;
import dev.keep.enclave.keys.XOnlyPublicKey;

/**
 * The secp256k1 operations Keep signs with. Every operation on a secret is constant time in that
 * secret; implementations say how. Inputs are typed so that a digest, a message, a compressed key
 * and an x-only key cannot be confused for one another.
 */
public interface SigningEngine {

  /** Whether {@code candidate} is a valid secret key: 0 < k < n (SEC1 §3.2.1). */
  boolean isValidSecret(byte[] candidate);

  /** The public key {@code k·G}, compressed. */
  PublicKey publicKey(SecretKey key);

  /** Parses a compressed public key, checking that it is a point on the curve. */
  PublicKey parsePublicKey(byte[] compressed);

  /**
   * BIP-340 §Default Signing over a message of any length, with the caller's 32 bytes of
   * auxiliary randomness. Callers that are not test vectors pass fresh randomness.
   */
  default SchnorrSignature signSchnorr(Message message, SecretKey key, byte[] aux) {
    return signSchnorr(message, key, publicKey(key), aux);
  }

  /**
   * As above, for a key whose public key the caller already holds; the signature is verified
   * against {@code publicKey}, so a wrong one makes signing fail rather than pass.
   */
  SchnorrSignature signSchnorr(Message message, SecretKey key, PublicKey publicKey, byte[] aux);

  /** BIP-340 §Verification. False for any malformed input, never an exception. */
  boolean verifySchnorr(SchnorrSignature signature, Message message, XOnlyPublicKey key);

  /** ECDSA with RFC 6979 deterministic nonces, normalised to low S, with its recovery id. */
  default EcdsaSignature signEcdsa(Digest32 digest, SecretKey key) {
    return signEcdsa(digest, key, publicKey(key));
  }

  /** As above, checked against the public key the caller already holds. */
  EcdsaSignature signEcdsa(Digest32 digest, SecretKey key, PublicKey publicKey);

  /** ECDSA verification; high-S signatures are refused, as libsecp256k1 does. */
  boolean verifyEcdsa(EcdsaSignature signature, Digest32 digest, PublicKey key);
}
