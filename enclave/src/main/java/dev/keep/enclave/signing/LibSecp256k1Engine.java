package dev.keep.enclave.signing;

import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.SecretKey;
import dev.keep.enclave.keys.XOnlyPublicKey;
import fr.acinq.secp256k1.Secp256k1;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * {@link SigningEngine} on libsecp256k1 through the {@code fr.acinq.secp256k1} JNI binding.
 *
 * <p>libsecp256k1 is constant time in secret keys and nonces. The binding signs BIP-340 only over
 * 32-byte messages, so for other lengths this class composes BIP-340 §Default Signing from the
 * library's own constant-time primitives: {@code k·G} ({@code pubkeyCreate}), scalar negation,
 * multiplication and addition ({@code privKeyNegate}, {@code privKeyTweakMul}, {@code
 * privKeyTweakAdd}). Only public values (the challenge {@code e}, range checks of signatures being
 * verified) touch {@link BigInteger}. Every signature is verified before it is returned, so a fault
 * during signing cannot hand out a signature that leaks the key.
 */
public final class LibSecp256k1Engine implements SigningEngine {
  private static final Secp256k1 SECP = Secp256k1.get();

  /** The group order n and the field size p (SEC2 §2.4.1). */
  static final BigInteger N =
      new BigInteger("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16);

  static final BigInteger P =
      new BigInteger("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F", 16);

  private static final String AUX_TAG = "BIP0340/aux";
  private static final String NONCE_TAG = "BIP0340/nonce";
  private static final String CHALLENGE_TAG = "BIP0340/challenge";

  @Override
  public boolean isValidSecret(byte[] candidate) {
    return candidate != null && candidate.length == SecretKey.LENGTH && SECP.secKeyVerify(candidate);
  }

  @Override
  public PublicKey publicKey(SecretKey key) {
    byte[] uncompressed = SECP.pubkeyCreate(key.expose());
    return PublicKey.ofCompressed(SECP.pubKeyCompress(uncompressed));
  }

  @Override
  public PublicKey parsePublicKey(byte[] compressed) {
    return PublicKey.ofCompressed(compressed); // checks the point is on the curve
  }

  @Override
  public SchnorrSignature signSchnorr(Message message, SecretKey key, PublicKey publicKey, byte[] aux) {
    if (aux == null || aux.length != 32) {
      throw new IllegalArgumentException("aux: must be 32 bytes");
    }
    byte[] signature =
        message.length() == 32
            ? SECP.signSchnorr(message.bytes(), key.expose(), aux)
            : composedSign(message.bytes(), key, aux);
    SchnorrSignature result = SchnorrSignature.of(signature);
    if (!verifySchnorr(result, message, publicKey.xOnly())) {
      throw new IllegalStateException("signature failed its own verification; refusing to return it");
    }
    return result;
  }

  /** BIP-340 §Default Signing, step by step, for messages that are not 32 bytes long. */
  static byte[] composedSign(byte[] m, SecretKey key, byte[] aux) {
    byte[] sk = key.expose();
    byte[] point = SECP.pubkeyCreate(sk); // 0x04 || X || Y
    byte[] px = Arrays.copyOfRange(point, 1, 33);
    // "Let d = d' if has_even_y(P), otherwise let d = n - d'." Y's parity is public.
    byte[] d = (point[64] & 1) == 0 ? sk.clone() : SECP.privKeyNegate(sk);
    byte[] t = null;
    byte[] rand = null;
    byte[] k = null;
    byte[] ed = null;
    try {
      // "Let t be the byte-wise xor of bytes(d) and hash_BIP0340/aux(a)."
      t = TaggedHash.raw(AUX_TAG, aux);
      for (int i = 0; i < 32; i++) {
        t[i] ^= d[i];
      }
      // "Let rand = hash_BIP0340/nonce(t || bytes(P) || m)."
      byte[] nonceInput = concat(t, px, m);
      rand = TaggedHash.raw(NONCE_TAG, nonceInput);
      wipe(nonceInput);
      // "Let k' = int(rand) mod n. Fail if k' = 0." rand ≥ n happens with probability below
      // 2^-127; only then does a non-constant-time reduction run.
      k = SECP.secKeyVerify(rand) ? rand.clone() : reduceRare(rand);
      byte[] r = SECP.pubkeyCreate(k);
      byte[] rx = Arrays.copyOfRange(r, 1, 33);
      if ((r[64] & 1) != 0) {
        byte[] negated = SECP.privKeyNegate(k); // "Let k = k' if has_even_y(R), otherwise n - k'."
        Arrays.fill(k, (byte) 0);
        k = negated;
      }
      // "Let e = int(hash_BIP0340/challenge(bytes(R) || bytes(P) || m)) mod n." Public.
      byte[] e = scalar(new BigInteger(1, TaggedHash.of(CHALLENGE_TAG, concat(rx, px, m)).toBytes()).mod(N));
      byte[] s;
      if (isZero(e)) {
        s = k.clone();
      } else {
        ed = SECP.privKeyTweakMul(d, e);
        s = SECP.privKeyTweakAdd(k, ed); // "Let sig = bytes(R) || bytes((k + ed) mod n)."
      }
      return concat(rx, s, new byte[0]);
    } finally {
      wipe(d);
      wipe(t);
      wipe(rand);
      wipe(k);
      wipe(ed);
    }
  }

  private static byte[] reduceRare(byte[] rand) {
    BigInteger reduced = new BigInteger(1, rand).mod(N);
    if (reduced.signum() == 0) {
      throw new IllegalStateException("BIP-340 nonce is zero; signing fails as the BIP requires");
    }
    return scalar(reduced);
  }

  @Override
  public boolean verifySchnorr(SchnorrSignature signature, Message message, XOnlyPublicKey key) {
    byte[] sig = signature.toBytes();
    byte[] pk = key.toBytes();
    if (message.length() == 32) {
      try {
        return SECP.verifySchnorr(sig, message.bytes(), pk);
      } catch (RuntimeException e) {
        return false; // libsecp256k1 refuses to parse a public key that is not on the curve
      }
    }
    return composedVerify(sig, message.bytes(), pk);
  }

  /** BIP-340 §Verification on public values: R = s·G − e·P must have even Y and X = r. */
  static boolean composedVerify(byte[] sig, byte[] m, byte[] pk) {
    byte[] r = Arrays.copyOfRange(sig, 0, 32);
    byte[] s = Arrays.copyOfRange(sig, 32, 64);
    if (new BigInteger(1, r).compareTo(P) >= 0 || new BigInteger(1, s).compareTo(N) >= 0) {
      return false; // "Fail if r ≥ p." "Fail if s ≥ n."
    }
    byte[] point;
    try {
      point = SECP.pubkeyParse(concat(new byte[] {0x02}, pk, new byte[0])); // lift_x(int(pk))
    } catch (RuntimeException e) {
      return false;
    }
    byte[] e = scalar(new BigInteger(1, TaggedHash.of(CHALLENGE_TAG, concat(r, pk, m)).toBytes()).mod(N));
    try {
      byte[] sG = isZero(s) ? null : SECP.pubkeyCreate(s);
      byte[] minusEP = isZero(e) ? null : SECP.pubKeyNegate(SECP.pubKeyTweakMul(point, e));
      byte[] bigR;
      if (sG == null && minusEP == null) {
        return false; // R is the point at infinity
      } else if (sG == null) {
        bigR = minusEP;
      } else if (minusEP == null) {
        bigR = sG;
      } else {
        bigR = SECP.pubKeyCombine(new byte[][] {sG, minusEP});
      }
      return (bigR[64] & 1) == 0 && Arrays.equals(Arrays.copyOfRange(bigR, 1, 33), r);
    } catch (RuntimeException infinity) {
      return false; // libsecp256k1 refuses to combine into the point at infinity
    }
  }

  @Override
  public EcdsaSignature signEcdsa(Digest32 digest, SecretKey key, PublicKey own) {
    // No extra entropy: the nonce is RFC 6979's, from the key and the digest alone.
    byte[] compact = SECP.sign(digest.bytes(), key.expose(), null);
    if (SECP.signatureNormalize(compact).getSecond()) {
      throw new IllegalStateException("libsecp256k1 returned a high-S signature; refusing it");
    }
    // Recovering our own key from (signature, digest) is the verification equation solved for
    // the key, so a match both finds the recovery id and checks the signature before it leaves.
    for (int recoveryId = 0; recoveryId < 4; recoveryId++) {
      try {
        byte[] recovered = SECP.pubKeyCompress(SECP.ecdsaRecover(compact, digest.bytes(), recoveryId));
        if (Arrays.equals(recovered, own.toBytes())) {
          return EcdsaSignature.of(compact, SECP.compact2der(compact), recoveryId);
        }
      } catch (RuntimeException noKeyForThisId) {
        // ids 2 and 3 exist only when r overflowed n; a failure here just means "not this id"
      }
    }
    throw new IllegalStateException("signature failed its own verification; refusing to return it");
  }

  @Override
  public boolean verifyEcdsa(EcdsaSignature signature, Digest32 digest, PublicKey key) {
    try {
      return SECP.verify(signature.compact(), digest.bytes(), SECP.pubkeyParse(key.toBytes()));
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static byte[] scalar(BigInteger value) {
    byte[] raw = value.toByteArray();
    byte[] out = new byte[32];
    int copy = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - copy, out, 32 - copy, copy);
    return out;
  }

  private static boolean isZero(byte[] bytes) {
    int acc = 0;
    for (byte b : bytes) {
      acc |= b;
    }
    return acc == 0;
  }

  private static byte[] concat(byte[] a, byte[] b, byte[] c) {
    byte[] out = new byte[a.length + b.length + c.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    System.arraycopy(c, 0, out, a.length + b.length, c.length);
    return out;
  }

  private static void wipe(byte[] bytes) {
    if (bytes != null) {
      Arrays.fill(bytes, (byte) 0);
    }
  }
}
