package dev.keep.enclave.bitcoin.taproot;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.SecretKey;
import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.enclave.signing.Digest32;
import dev.keep.enclave.signing.TaggedHash;
import fr.acinq.secp256k1.Secp256k1;
import fr.acinq.secp256k1.Secp256k1Exception;
import java.util.Arrays;
import java.util.Optional;

/**
 * The taproot tweak of BIP-341 §Constructing and spending Taproot outputs ({@code
 * taproot_tweak_pubkey}, {@code taproot_tweak_seckey}). Without a script tree the merkle root is
 * absent and the tweak commits to the internal key alone, as BIP-86 specifies for single-key
 * wallets.
 *
 * <p>Point and scalar arithmetic is libsecp256k1's ({@code pubKeyTweakAdd}, {@code
 * privKeyNegate}, {@code privKeyTweakAdd}), constant time in secrets; no secret becomes a
 * {@code BigInteger}.
 */
public final class TapTweak {
  private static final Secp256k1 SECP = Secp256k1.get();
  private static final String TAG = "TapTweak";

  private TapTweak() {}

  /** {@code t = hash_TapTweak(P || merkle_root)}, or {@code hash_TapTweak(P)} without a tree. */
  public static Digest32 tweak(XOnlyPublicKey internalKey, Optional<TapNodeHash> merkleRoot) {
    byte[] p = internalKey.toBytes();
    byte[] data = merkleRoot.map(root -> concat(p, root.toBytes())).orElse(p);
    return TaggedHash.of(TAG, data);
  }

  /**
   * {@code Q = lift_x(P) + t·G}.
   *
   * @throws IllegalArgumentException when P is not the x coordinate of a point ("lift_x fails"),
   *     or when t ≥ n or Q is the point at infinity (BIP-341: "raise ValueError"); the last two
   *     happen with negligible probability for honest keys
   */
  public static OutputKey outputKey(XOnlyPublicKey internalKey, Optional<TapNodeHash> merkleRoot) {
    byte[] lifted;
    try {
      lifted = SECP.pubkeyParse(concat(new byte[] {0x02}, internalKey.toBytes())); // even Y
    } catch (Secp256k1Exception e) {
      throw new IllegalArgumentException("internal key: x is not on secp256k1 (lift_x fails)");
    }
    byte[] q;
    try {
      byte[] t = tweak(internalKey, merkleRoot).toBytes();
      q = SECP.pubKeyCompress(SECP.pubKeyTweakAdd(lifted, t));
    } catch (Secp256k1Exception e) {
      throw new IllegalArgumentException("taproot tweak: t ≥ n or Q is the point at infinity");
    }
    return new OutputKey(XOnlyPublicKey.of(Arrays.copyOfRange(q, 1, 33)), q[0] == 0x03);
  }

  /**
   * {@code d' = (has_even_y(P) ? d : n - d) + t mod n}, where {@code P = d·G}: the secret key of
   * the output key Q for key-path signing. The caller owns the returned key and wipes it; the
   * intermediate copies made here are zeroed.
   *
   * @throws IllegalArgumentException when t ≥ n or d' = 0
   */
  public static SecretKey tweakSecretKey(
      SecretKey internalSecret, Optional<TapNodeHash> merkleRoot) {
    byte[] point = SECP.pubkeyCreate(internalSecret.expose()); // 0x04 || x || y; P is public
    return tweakSecretKey(internalSecret, PublicKey.fromUncompressed(point), merkleRoot);
  }

  /**
   * As above, for a secret whose public key the caller already holds (a key lease carries it),
   * which saves computing d·G again. {@code internalPublic} must be the secret's public key: the
   * signer verifies every signature against the output key, so a wrong one fails signing.
   */
  public static SecretKey tweakSecretKey(
      SecretKey internalSecret, PublicKey internalPublic, Optional<TapNodeHash> merkleRoot) {
    boolean oddY = !internalPublic.hasEvenY();
    byte[] t = tweak(internalPublic.xOnly(), merkleRoot).toBytes();
    byte[] copy = internalSecret.expose().clone();
    byte[] d = null;
    try {
      d = oddY ? SECP.privKeyNegate(copy) : copy;
      return SecretKey.adopt(SECP.privKeyTweakAdd(d, t));
    } catch (Secp256k1Exception e) {
      throw new IllegalArgumentException("taproot tweak: t ≥ n or the tweaked key is zero");
    } finally {
      Arrays.fill(copy, (byte) 0);
      if (d != null) {
        Arrays.fill(d, (byte) 0);
      }
    }
  }

  /** The P2TR scriptPubKey {@code OP_1 <x(Q)>} (BIP-341 §Script validation rules). */
  public static Script p2trScript(XOnlyPublicKey internalKey, Optional<TapNodeHash> merkleRoot) {
    return Script.p2tr(outputKey(internalKey, merkleRoot).key().toBytes());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
