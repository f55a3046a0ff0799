package dev.keep.enclave.bitcoin.taproot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.sighash.SighashType;
import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.SecretKey;
import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.enclave.signing.SchnorrSignature;
import dev.keep.enclave.signing.SigningEngine;
import dev.keep.schema.encoding.Hex;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** TapTweak's properties beyond the vectors: key pairs stay pairs, and bad inputs are refused. */
class TapTweakTest {
  private static final SigningEngine ENGINE = new LibSecp256k1Engine();
  private static final long SEED = 341L;

  /** For random keys (both Y parities) and roots, d'·G is Q with the parity outputKey reports. */
  @Test
  void tweakedSecret_isTheSecretOfTheOutputKey() {
    Random random = new Random(SEED);
    int odd = 0;
    for (int i = 0; i < 64; i++) {
      byte[] d = new byte[32];
      random.nextBytes(d);
      d[0] &= 0x7f; // below n
      Optional<TapNodeHash> root = Optional.empty();
      if (random.nextBoolean()) {
        byte[] r = new byte[32];
        random.nextBytes(r);
        root = Optional.of(TapNodeHash.of(r));
      }
      try (SecretKey internal = SecretKey.adopt(d)) {
        PublicKey p = ENGINE.publicKey(internal);
        odd += p.hasEvenY() ? 0 : 1;
        OutputKey q = TapTweak.outputKey(p.xOnly(), root);
        try (SecretKey tweaked = TapTweak.tweakSecretKey(internal, root)) {
          assertEquals(q.toPublicKey(), ENGINE.publicKey(tweaked), "seed " + SEED + ", key " + i);
        }
      }
    }
    assertNotEquals(0, odd, "the sample has internal keys with odd Y");
  }

  @Test
  void internalKeyNotOnTheCurve_isRefused() {
    // x = 5 has no point on secp256k1 (x^3 + 7 = 132 is not a square mod p).
    byte[] x = new byte[32];
    x[31] = 5;
    XOnlyPublicKey notOnCurve = XOnlyPublicKey.of(x);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TapTweak.outputKey(notOnCurve, Optional.empty()));
    assertEquals("internal key: x is not on secp256k1 (lift_x fails)", e.getMessage());
  }

  @Test
  void tweakSecretKey_leavesTheInternalSecretAsItWas() {
    byte[] d = Hex.decode("d", "6b973d88838f27366ed61c9ad6367663045cb456e28335c109e30717ae0c6baa");
    try (SecretKey internal = SecretKey.adopt(d.clone())) {
      TapTweak.tweakSecretKey(internal, Optional.empty()).wipe();
      assertArrayEquals(d, internal.expose());
      assertFalse(internal.isWiped());
    }
  }

  @Test
  void merkleRootChangesTheTweak_andBip86UsesNone() {
    XOnlyPublicKey p = XOnlyPublicKey.of(Hex.decode("p", "d6889cb081036e0faefa3a35157ad71086b123b2b144b649798b494c300a961d"));
    assertNotEquals(TapTweak.tweak(p, Optional.empty()), TapTweak.tweak(p, Optional.of(TapNodeHash.of(new byte[32]))));
  }

  @Test
  void tapNodeHash_branchIsOrderIndependent_andLeafVersionsAreEven() {
    TapNodeHash a = TapNodeHash.leaf(0xc0, Script.fromHex("51"));
    TapNodeHash b = TapNodeHash.leaf(0xc0, Script.fromHex("52"));
    assertEquals(TapNodeHash.branch(a, b), TapNodeHash.branch(b, a));
    assertThrows(IllegalArgumentException.class, () -> TapNodeHash.leaf(0xc1, Script.EMPTY));
    assertThrows(IllegalArgumentException.class, () -> TapNodeHash.of(new byte[31]));
  }

  @Test
  void taprootSignature_is64BytesForDefault_else65WithTheType() {
    SchnorrSignature sig = SchnorrSignature.of(new byte[64]);
    assertEquals(64, new TaprootSignature(sig, SighashType.DEFAULT).toWitnessBytes().length);
    byte[] single = new TaprootSignature(sig, SighashType.SINGLE_ANYONECANPAY).toWitnessBytes();
    assertEquals(65, single.length);
    assertEquals((byte) 0x83, single[64]);
    assertThrows(IllegalArgumentException.class, () -> new TaprootSignature(sig, new SighashType(0x04)));
  }
}
