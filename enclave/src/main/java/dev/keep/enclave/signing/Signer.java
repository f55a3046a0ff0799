package dev.keep.enclave.signing;

import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.SecretKey;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * What the enclave signs with: a {@link SigningEngine} and the enclave's random source (the NSM
 * inside a Nitro Enclave, {@code SecureRandom} in local mode). It draws fresh keys and fresh
 * BIP-340 auxiliary randomness; the engine verifies every signature before returning it.
 */
public final class Signer {
  private final SigningEngine engine;
  private final SecureRandom random;

  public Signer(SigningEngine engine, SecureRandom random) {
    this.engine = engine;
    this.random = random;
  }

  public SigningEngine engine() {
    return engine;
  }

  /** Draws a fresh key: 32 random bytes, redrawn in the (negligible) case they are out of range. */
  public SecretKey generate() {
    while (true) {
      byte[] candidate = new byte[SecretKey.LENGTH];
      random.nextBytes(candidate);
      if (engine.isValidSecret(candidate)) {
        return SecretKey.adopt(candidate);
      }
      Arrays.fill(candidate, (byte) 0);
    }
  }

  /** Fills {@code out} from the enclave's random source (seeds for HD roots, for example). */
  public void randomBytes(byte[] out) {
    random.nextBytes(out);
  }

  /**
   * BIP-340 §Default Signing with fresh 32-byte auxiliary randomness, by {@code key} whose public
   * key is {@code publicKey}.
   */
  public SchnorrSignature schnorr(Message message, SecretKey key, PublicKey publicKey) {
    byte[] aux = new byte[32];
    random.nextBytes(aux);
    try {
      return engine.signSchnorr(message, key, publicKey, aux);
    } finally {
      Arrays.fill(aux, (byte) 0);
    }
  }

  /** ECDSA, RFC 6979, low S, with the recovery id. */
  public EcdsaSignature ecdsa(Digest32 digest, SecretKey key, PublicKey publicKey) {
    return engine.signEcdsa(digest, key, publicKey);
  }
}
