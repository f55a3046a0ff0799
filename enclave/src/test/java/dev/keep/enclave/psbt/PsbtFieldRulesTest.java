package dev.keep.enclave.psbt;

import static dev.keep.enclave.psbt.PsbtFixtures.ORIGIN;
import static dev.keep.enclave.psbt.PsbtFixtures.derSig;
import static dev.keep.enclave.psbt.PsbtFixtures.filled;
import static dev.keep.enclave.psbt.PsbtFixtures.key;
import static dev.keep.enclave.psbt.PsbtFixtures.pair;
import static dev.keep.enclave.psbt.PsbtFixtures.psbt;
import static dev.keep.enclave.psbt.PsbtFixtures.u32;
import static dev.keep.enclave.psbt.PsbtFixtures.v2Global;
import static dev.keep.enclave.psbt.PsbtFixtures.v2Input;
import static dev.keep.enclave.psbt.PsbtFixtures.v2Output;
import static dev.keep.enclave.psbt.PsbtFixtures.v2WithInputPairs;
import static dev.keep.enclave.psbt.PsbtFixtures.v2WithOutputPairs;
import static dev.keep.enclave.psbt.PsbtFixtures.xOnly;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.bitcoin.tx.ByteWriter;
import dev.keep.enclave.bitcoin.tx.DoubleSha256;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.RIPEMD160Digest;
import org.junit.jupiter.api.Test;

/** Field-level rules of BIP-174, BIP-370 and BIP-371, one field at a time. */
class PsbtFieldRulesTest {
  private static void accepted(byte[] bytes) throws PsbtException {
    assertArrayEquals(bytes, Psbt.parse(bytes).serialize());
  }

  private static PsbtException rejected(byte[] bytes, String whereAndField) {
    PsbtException e = assertThrows(PsbtException.class, () -> Psbt.parse(bytes));
    assertEquals(whereAndField, e.where() + ", " + e.field(), e.getMessage());
    return e;
  }

  // ---- BIP-174 ----

  @Test
  void hashPreimagesMustHashToTheirKey() throws PsbtException {
    byte[] preimage = "keep".getBytes();
    byte[] sha = DoubleSha256.sha256(preimage);
    accepted(
        v2WithInputPairs(
            pair(0x0a, ripemd160(preimage), preimage),
            pair(0x0b, sha, preimage),
            pair(0x0c, ripemd160(sha), preimage),
            pair(0x0d, DoubleSha256.of(preimage), preimage)));
    rejected(v2WithInputPairs(pair(0x0b, sha, "kept".getBytes())), "input 0, PSBT_IN_SHA256");
    rejected(
        v2WithInputPairs(pair(0x0c, sha, preimage)), "input 0, PSBT_IN_HASH160"); // 32-byte key
  }

  private static byte[] ripemd160(byte[] data) {
    RIPEMD160Digest d = new RIPEMD160Digest();
    d.update(data, 0, data.length);
    byte[] out = new byte[20];
    d.doFinal(out, 0);
    return out;
  }

  @Test
  void proprietaryKeysMustHaveIdentifierAndSubtype() throws PsbtException {
    accepted(
        v2WithInputPairs(
            pair(0xfc, new byte[] {4, 'k', 'e', 'e', 'p', 0x00, 0x01}, new byte[] {1})));
    accepted(psbt(v2Global(pair(0xfc, new byte[] {0, 0x07}, new byte[0])), v2Input(), v2Output()));
    rejected(
        v2WithInputPairs(pair(0xfc, new byte[] {9, 'k'}, new byte[] {1})),
        "input 0, PSBT_IN_PROPRIETARY");
    rejected(
        v2WithOutputPairs(pair(0xfc, new byte[0], new byte[] {1})),
        "output 0, PSBT_OUT_PROPRIETARY");
  }

  @Test
  void partialSignaturesNeedAValidKeyAndStrictDer() throws PsbtException {
    accepted(v2WithInputPairs(pair(0x02, key(1).toBytes(), derSig(0x11, 0x01))));
    byte[] padded = derSig(0x11, 0x01);
    padded[4] = 0x00; // R = 00 11 11..: a zero byte not needed for the sign
    assertTrue(
        rejected(
                v2WithInputPairs(pair(0x02, key(1).toBytes(), padded)),
                "input 0, PSBT_IN_PARTIAL_SIG")
            .rule()
            .contains("superfluous leading zero"));
    byte[] offCurve = filled(33, 0x00);
    offCurve[0] = 0x02;
    offCurve[32] = 0x05; // x = 5 has no point on secp256k1
    rejected(
        v2WithInputPairs(pair(0x02, offCurve, derSig(0x11, 0x01))), "input 0, PSBT_IN_PARTIAL_SIG");
    byte[] hybrid = PsbtFixtures.uncompressedKey(3);
    hybrid[0] = 0x06;
    rejected(
        v2WithInputPairs(pair(0x02, hybrid, derSig(0x11, 0x01))), "input 0, PSBT_IN_PARTIAL_SIG");
    rejected(
        v2WithInputPairs(pair(0x02, key(1).toBytes(), Arrays.copyOf(derSig(0x11, 1), 8))),
        "input 0, PSBT_IN_PARTIAL_SIG");
  }

  @Test
  void keyOriginsAreAFingerprintAndWholePathSteps() {
    // 0 bytes, a partial fingerprint, a partial step, and 256 steps (BIP-32 depth is one byte)
    for (int length : new int[] {0, 3, 5, 4 + 4 * 256}) {
      rejected(
          v2WithInputPairs(pair(0x06, key(1).toBytes(), new byte[length])),
          "input 0, PSBT_IN_BIP32_DERIVATION");
    }
    rejected(
        v2WithOutputPairs(pair(0x02, xOnly(1).toBytes(), ORIGIN.toBytes())),
        "output 0, PSBT_OUT_BIP32_DERIVATION");
  }

  @Test
  void globalXpubDepthMustEqualThePathLength() throws PsbtException {
    byte[] xpub =
        new ByteWriter()
            .bytes(new byte[] {0x04, (byte) 0x88, (byte) 0xb2, 0x1e})
            .u8(ORIGIN.path().depth())
            .bytes(filled(4, 0x01))
            .bytes(filled(4, 0x00))
            .bytes(filled(32, 0x33))
            .bytes(key(1).toBytes())
            .toByteArray();
    accepted(psbt(v2Global(pair(0x01, xpub, ORIGIN.toBytes())), v2Input(), v2Output()));
    byte[] shallower = Arrays.copyOf(ORIGIN.toBytes(), ORIGIN.toBytes().length - 4);
    rejected(
        psbt(v2Global(pair(0x01, xpub, shallower)), v2Input(), v2Output()),
        "global, PSBT_GLOBAL_XPUB");
    byte[] badKey = xpub.clone();
    badKey[45] = 0x05;
    rejected(
        psbt(v2Global(pair(0x01, badKey, ORIGIN.toBytes())), v2Input(), v2Output()),
        "global, PSBT_GLOBAL_XPUB");
    rejected(
        psbt(
            v2Global(pair(0x01, Arrays.copyOf(xpub, 77), ORIGIN.toBytes())), v2Input(), v2Output()),
        "global, PSBT_GLOBAL_XPUB");
  }

  @Test
  void finalScriptWitnessMustBeExactlyOneStack() throws PsbtException {
    accepted(v2WithInputPairs(pair(0x08, new byte[] {2, 1, 0x51, 0})));
    rejected(
        v2WithInputPairs(pair(0x08, new byte[] {2, 1, 0x51, 0, 0})),
        "input 0, PSBT_IN_FINAL_SCRIPTWITNESS");
    rejected(
        v2WithInputPairs(pair(0x08, new byte[] {3, 1, 0x51, 0})),
        "input 0, PSBT_IN_FINAL_SCRIPTWITNESS");
  }

  @Test
  void nonWitnessUtxoMustContainTheSpentOutput() throws PsbtException {
    byte[] funding = PsbtFixtures.funding().serialize();
    byte[] txid = PsbtFixtures.funding().txid().internalBytes();
    byte[] global = v2Global();
    accepted(
        psbt(
            global,
            PsbtFixtures.map(pair(0x0e, txid), pair(0x0f, u32(1)), pair(0x00, funding)),
            v2Output()));
    PsbtException e =
        rejected(
            psbt(
                global,
                PsbtFixtures.map(pair(0x0e, txid), pair(0x0f, u32(2)), pair(0x00, funding)),
                v2Output()),
            "input 0, PSBT_IN_NON_WITNESS_UTXO");
    assertTrue(e.rule().contains("spent index 2 does not exist"), e.rule());
    rejected(
        v2WithInputPairs(pair(0x00, funding)), "input 0, PSBT_IN_NON_WITNESS_UTXO"); // other txid
  }

  // ---- BIP-370 ----

  @Test
  void requiredLockTimeBoundaries() throws PsbtException {
    accepted(v2WithInputPairs(pair(0x11, u32(500_000_000))));
    accepted(v2WithInputPairs(pair(0x12, u32(499_999_999))));
    accepted(v2WithInputPairs(pair(0x12, u32(1))));
    rejected(v2WithInputPairs(pair(0x11, u32(0))), "input 0, PSBT_IN_REQUIRED_TIME_LOCKTIME");
  }

  @Test
  void lockTimeTiesGoToHeight() throws PsbtException {
    byte[] both =
        PsbtFixtures.map(
            pair(0x0e, filled(32, 1)),
            pair(0x0f, u32(0)),
            pair(0x11, u32(600_000_000)),
            pair(0x12, u32(50)));
    byte[] heightOnly =
        PsbtFixtures.map(pair(0x0e, filled(32, 2)), pair(0x0f, u32(0)), pair(0x12, u32(70)));
    byte[] none = PsbtFixtures.map(pair(0x0e, filled(32, 3)), pair(0x0f, u32(0)));
    byte[] global =
        PsbtFixtures.map(
            pair(0x02, u32(2)),
            pair(0x03, u32(9)),
            pair(0x04, new byte[] {3}),
            pair(0x05, new byte[] {1}),
            pair(0xfb, u32(2)));
    assertEquals(
        70,
        Psbt.parse(psbt(global, both, heightOnly, none, v2Output()))
            .computedLockTime()
            .getAsLong());
    byte[] oneInput =
        PsbtFixtures.map(
            pair(0x02, u32(2)),
            pair(0x03, u32(9)),
            pair(0x04, new byte[] {1}),
            pair(0x05, new byte[] {1}),
            pair(0xfb, u32(2)));
    assertEquals(50, Psbt.parse(psbt(oneInput, both, v2Output())).computedLockTime().getAsLong());
    assertEquals(9, Psbt.parse(psbt(oneInput, none, v2Output())).computedLockTime().getAsLong());
  }

  // ---- BIP-371 ----

  @Test
  void taprootSignaturesAre64Or65BytesWithoutAnExplicitDefault() throws PsbtException {
    byte[] keyAndLeaf =
        new ByteWriter().bytes(xOnly(1).toBytes()).bytes(filled(32, 9)).toByteArray();
    byte[] anyoneCanPayAll = Arrays.copyOf(filled(64, 1), 65);
    anyoneCanPayAll[64] = (byte) 0x81;
    accepted(v2WithInputPairs(pair(0x13, filled(64, 1)), pair(0x14, keyAndLeaf, anyoneCanPayAll)));
    byte[] explicitDefault = Arrays.copyOf(filled(64, 1), 65); // last byte 0x00
    explicitDefault[64] = 0x00;
    rejected(v2WithInputPairs(pair(0x13, explicitDefault)), "input 0, PSBT_IN_TAP_KEY_SIG");
    rejected(
        v2WithInputPairs(pair(0x14, keyAndLeaf, explicitDefault)),
        "input 0, PSBT_IN_TAP_SCRIPT_SIG");
  }

  @Test
  void leafScriptsNeedAControlBlockAndAnEvenLeafVersion() throws PsbtException {
    accepted(
        v2WithInputPairs(pair(0x15, filled(33 + 32 * 128, 0xc0), new byte[] {0x51, (byte) 0xc0})));
    rejected(
        v2WithInputPairs(pair(0x15, filled(33 + 32 * 129, 0xc0), new byte[] {0x51, (byte) 0xc0})),
        "input 0, PSBT_IN_TAP_LEAF_SCRIPT");
    rejected(
        v2WithInputPairs(pair(0x15, filled(33, 0xc0), new byte[0])),
        "input 0, PSBT_IN_TAP_LEAF_SCRIPT");
    rejected(
        v2WithInputPairs(pair(0x15, filled(33, 0xc0), new byte[] {0x51, (byte) 0xc1})),
        "input 0, PSBT_IN_TAP_LEAF_SCRIPT");
  }

  @Test
  void tapBip32DerivationLeafHashesMustFit() throws PsbtException {
    byte[] twoHashes =
        new ByteWriter().u8(2).bytes(filled(64, 7)).bytes(ORIGIN.toBytes()).toByteArray();
    accepted(v2WithInputPairs(pair(0x16, xOnly(1).toBytes(), twoHashes)));
    byte[] claimsThree = twoHashes.clone();
    claimsThree[0] = 3;
    rejected(
        v2WithInputPairs(pair(0x16, xOnly(1).toBytes(), claimsThree)),
        "input 0, PSBT_IN_TAP_BIP32_DERIVATION");
  }

  @Test
  void tapTreeDepthsMustDescribeOneCompleteTreeInDepthFirstOrder() throws PsbtException {
    accepted(v2WithOutputPairs(pair(0x06, tree(0))));
    accepted(v2WithOutputPairs(pair(0x06, tree(1, 1))));
    accepted(v2WithOutputPairs(pair(0x06, tree(1, 2, 2))));
    accepted(v2WithOutputPairs(pair(0x06, tree(2, 2, 1))));
    accepted(v2WithOutputPairs(pair(0x06, tree(2, 3, 3, 1))));
    for (int[] bad : new int[][] {{}, {1}, {1, 2}, {2, 1, 2}, {0, 0}, {1, 1, 1}, {129, 129}}) {
      PsbtException e =
          rejected(v2WithOutputPairs(pair(0x06, tree(bad))), "output 0, PSBT_OUT_TAP_TREE");
      assertTrue(!e.rule().isBlank(), Arrays.toString(bad));
    }
    byte[] oddVersion = new byte[] {0, (byte) 0xc1, 1, 0x51};
    rejected(v2WithOutputPairs(pair(0x06, oddVersion)), "output 0, PSBT_OUT_TAP_TREE");
  }

  private static byte[] tree(int... depths) {
    ByteWriter w = new ByteWriter();
    for (int d : depths) {
      w.u8(d).u8(0xc0).varBytes(new byte[] {0x51});
    }
    return w.toByteArray();
  }

  @Test
  void taprootKeysAreXOnly() {
    rejected(v2WithInputPairs(pair(0x17, key(1).toBytes())), "input 0, PSBT_IN_TAP_INTERNAL_KEY");
    rejected(
        v2WithOutputPairs(pair(0x05, key(1).toBytes())), "output 0, PSBT_OUT_TAP_INTERNAL_KEY");
    rejected(
        v2WithInputPairs(pair(0x17, new byte[] {1}, xOnly(1).toBytes())),
        "input 0, PSBT_IN_TAP_INTERNAL_KEY");
    byte[] offCurve = filled(32, 0);
    offCurve[31] = 5; // x = 5: no point on secp256k1, so lift_x fails
    assertTrue(
        rejected(v2WithInputPairs(pair(0x17, offCurve)), "input 0, PSBT_IN_TAP_INTERNAL_KEY")
            .rule()
            .contains("not the X coordinate of a point"));
    byte[] keyAndLeaf = new ByteWriter().bytes(offCurve).bytes(filled(32, 9)).toByteArray();
    rejected(
        v2WithInputPairs(pair(0x14, keyAndLeaf, filled(64, 1))), "input 0, PSBT_IN_TAP_SCRIPT_SIG");
  }
}
