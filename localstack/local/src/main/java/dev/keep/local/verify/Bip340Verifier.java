package dev.keep.local.verify;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECPoint;

/**
 * BIP-340 verification written from the specification on BouncyCastle's curve arithmetic, kept
 * apart from the enclave's libsecp256k1 so the demo and the system tests check signatures with an
 * independent implementation. Verification handles only public data, so it need not be constant
 * time.
 */
public final class Bip340Verifier {
  private static final X9ECParameters SECP256K1 = CustomNamedCurves.getByName("secp256k1");
  private static final BigInteger P = SECP256K1.getCurve().getField().getCharacteristic();
  private static final BigInteger N = SECP256K1.getN();

  private Bip340Verifier() {}

  /** BIP-340 §Verification: true iff {@code sig} is valid for {@code msg} under x-only {@code pk}. */
  public static boolean verify(byte[] pk, byte[] msg, byte[] sig) {
    if (pk.length != 32 || sig.length != 64) {
      return false;
    }
    // "Let P = lift_x(int(pk)); fail if that fails."
    BigInteger x = new BigInteger(1, pk);
    if (x.compareTo(P) >= 0) {
      return false;
    }
    ECPoint point;
    try {
      byte[] compressed = new byte[33];
      compressed[0] = 0x02; // even Y, as lift_x specifies
      System.arraycopy(pk, 0, compressed, 1, 32);
      point = SECP256K1.getCurve().decodePoint(compressed);
    } catch (IllegalArgumentException e) {
      return false; // x is not on the curve
    }
    // "Let r = int(sig[0:32]); fail if r ≥ p. Let s = int(sig[32:64]); fail if s ≥ n."
    byte[] rBytes = Arrays.copyOfRange(sig, 0, 32);
    BigInteger r = new BigInteger(1, rBytes);
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
    if (r.compareTo(P) >= 0 || s.compareTo(N) >= 0) {
      return false;
    }
    // "Let e = int(hash_BIP0340/challenge(bytes(r) || bytes(P) || m)) mod n."
    BigInteger e = new BigInteger(1, taggedHash("BIP0340/challenge", concat(rBytes, pk, msg))).mod(N);
    // "Let R = s⋅G - e⋅P. Fail if is_infinite(R), not has_even_y(R), or x(R) ≠ r."
    ECPoint big = SECP256K1.getG().multiply(s).add(point.multiply(N.subtract(e))).normalize();
    if (big.isInfinity()) {
      return false;
    }
    if (big.getAffineYCoord().toBigInteger().testBit(0)) {
      return false;
    }
    return big.getAffineXCoord().toBigInteger().equals(r);
  }

  /** {@code SHA256(SHA256(tag) || SHA256(tag) || data)}, BIP-340's tagged hash. */
  public static byte[] taggedHash(String tag, byte[] data) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] tagHash = sha.digest(tag.getBytes(StandardCharsets.UTF_8));
      sha.update(tagHash);
      sha.update(tagHash);
      return sha.digest(data);
    } catch (NoSuchAlgorithmException ex) {
      throw new IllegalStateException("every JDK has SHA-256", ex);
    }
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] p : parts) {
      length += p.length;
    }
    byte[] out = new byte[length];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
