package dev.keep.enclave.signing;

import dev.keep.enclave.keys.SecretKey;
import dev.keep.enclave.keys.XOnlyPublicKey;
import fr.acinq.secp256k1.Secp256k1;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * BIP-340 Schnorr signing through libsecp256k1 (JNI), which is constant time in the secret key
 * and the nonce. Every signature is verified before it is returned, so a fault during signing
 * cannot leak a broken signature that reveals the key.
 */
public final class Bip340Signer {
  private static final Secp256k1 SECP = Secp256k1.get();

  private final SecureRandom random;

  public Bip340Signer(SecureRandom random) {
    this.random = random;
  }

  /** Draws a fresh key: 32 random bytes, redrawn in the (negligible) case they are out of range. */
  public SecretKey generate() {
    while (true) {
      byte[] candidate = new byte[SecretKey.LENGTH];
      random.nextBytes(candidate);
      if (SECP.secKeyVerify(candidate)) {
        return SecretKey.adopt(candidate);
      }
      Arrays.fill(candidate, (byte) 0);
    }
  }

  /** The key's x-only public key (BIP-340 §Public Key Generation). */
  public XOnlyPublicKey publicKey(SecretKey key) {
    byte[] uncompressed = SECP.pubkeyCreate(key.expose()); // 0x04 || X || Y
    return XOnlyPublicKey.of(Arrays.copyOfRange(uncompressed, 1, 33));
  }

  /**
   * BIP-340 §Default Signing with fresh 32-byte auxiliary randomness, then verification of the
   * result against the key's own public key.
   */
  public SchnorrSignature sign(Digest32 digest, SecretKey key) {
    byte[] aux = new byte[32];
    random.nextBytes(aux);
    try {
      return sign(digest, key, aux);
    } finally {
      Arrays.fill(aux, (byte) 0);
    }
  }

  /** With caller-chosen auxiliary randomness: for the BIP-340 test vectors only. */
  SchnorrSignature sign(Digest32 digest, SecretKey key, byte[] aux) {
    byte[] signature = SECP.signSchnorr(digest.bytes(), key.expose(), aux);
    if (!SECP.verifySchnorr(signature, digest.bytes(), publicKey(key).toBytes())) {
      throw new IllegalStateException("signature failed its own verification; refusing to return it");
    }
    return SchnorrSignature.of(signature);
  }

  /** BIP-340 §Verification. */
  public static boolean verify(SchnorrSignature signature, Digest32 digest, XOnlyPublicKey key) {
    try {
      return SECP.verifySchnorr(signature.toBytes(), digest.bytes(), key.toBytes());
    } catch (RuntimeException e) {
      return false; // libsecp256k1 refuses to parse a public key that is not on the curve
    }
  }
}
