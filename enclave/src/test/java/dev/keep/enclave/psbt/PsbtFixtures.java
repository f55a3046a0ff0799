package dev.keep.enclave.psbt;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.tx.ByteWriter;
import dev.keep.enclave.bitcoin.tx.OutPoint;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxIn;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.bitcoin.tx.Txid;
import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.enclave.keys.hd.DerivationPath;
import dev.keep.enclave.keys.hd.Fingerprint;
import fr.acinq.secp256k1.Secp256k1;
import java.util.Arrays;
import java.util.List;

/** Keys, transactions and raw PSBT bytes for the PSBT tests. */
final class PsbtFixtures {
  static final KeyOrigin ORIGIN =
      new KeyOrigin(new Fingerprint(0x12345678), DerivationPath.parse("m/84'/1'/0'/0/7"));

  private PsbtFixtures() {}

  /** The 65-byte uncompressed public key of the secret key 0x00..0n (n from 1). */
  static byte[] uncompressedKey(int n) {
    byte[] secret = new byte[32];
    secret[31] = (byte) n;
    return Secp256k1.get().pubkeyCreate(secret);
  }

  static PublicKey key(int n) {
    return PublicKey.fromUncompressed(uncompressedKey(n));
  }

  static XOnlyPublicKey xOnly(int n) {
    return key(n).xOnly();
  }

  static byte[] filled(int length, int b) {
    byte[] out = new byte[length];
    Arrays.fill(out, (byte) b);
    return out;
  }

  /**
   * A strictly DER-encoded ECDSA signature with a sighash byte: 0x30 len 0x02 0x20 R 0x02 0x20 S
   * hashtype. R and S are 32 bytes below 0x80 (no padding needed); not a real signature, which the
   * codec does not verify.
   */
  static byte[] derSig(int r, int sighash) {
    ByteWriter w = new ByteWriter();
    w.u8(0x30).u8(68).u8(0x02).u8(32).bytes(filled(32, r)).u8(0x02).u8(32).bytes(filled(32, 0x22));
    return w.u8(sighash).toByteArray();
  }

  /** A funding transaction with two outputs: P2WPKH and P2PKH. */
  static Transaction funding() {
    TxIn in = TxIn.unsigned(new OutPoint(Txid.fromInternal(filled(32, 0x11)), 3), 0xffffffffL);
    return new Transaction(
        2,
        List.of(in.withScriptSig(Script.fromHex("51"))),
        List.of(
            new TxOut(50_000, Script.p2wpkh(filled(20, 0xaa))),
            new TxOut(60_000, Script.p2pkh(filled(20, 0xbb)))),
        0);
  }

  /** Spends both outputs of {@link #funding} to one P2TR and one P2WPKH output. */
  static Transaction spending() {
    Txid txid = funding().txid();
    return new Transaction(
        2,
        List.of(
            TxIn.unsigned(new OutPoint(txid, 0), 0xfffffffdL),
            TxIn.unsigned(new OutPoint(txid, 1), 0xfffffffdL)),
        List.of(
            new TxOut(70_000, Script.p2tr(xOnly(5).toBytes())),
            new TxOut(39_000, Script.p2wpkh(filled(20, 0xcc)))),
        800_000);
  }

  // ---- raw PSBT bytes ----

  static byte[] pair(long type, byte[] keyData, byte[] value) {
    ByteWriter w = new ByteWriter();
    w.compactSize(ByteWriter.compactSizeLength(type) + keyData.length)
        .compactSize(type)
        .bytes(keyData);
    return w.varBytes(value).toByteArray();
  }

  static byte[] pair(long type, byte[] value) {
    return pair(type, new byte[0], value);
  }

  static byte[] map(byte[]... pairs) {
    ByteWriter w = new ByteWriter();
    for (byte[] p : pairs) {
      w.bytes(p);
    }
    return w.u8(0).toByteArray();
  }

  static byte[] psbt(byte[]... maps) {
    ByteWriter w = new ByteWriter();
    w.bytes(new byte[] {0x70, 0x73, 0x62, 0x74, (byte) 0xff});
    for (byte[] m : maps) {
      w.bytes(m);
    }
    return w.toByteArray();
  }

  static byte[] u32(long v) {
    return new ByteWriter().u32(v).toByteArray();
  }

  /** The global map of a version 2 PSBT with one input and one output, plus {@code extra} pairs. */
  static byte[] v2Global(byte[]... extra) {
    byte[][] pairs = new byte[4 + extra.length][];
    pairs[0] = pair(0x02, u32(2));
    pairs[1] = pair(0x04, new byte[] {1});
    pairs[2] = pair(0x05, new byte[] {1});
    pairs[3] = pair(0xfb, u32(2));
    System.arraycopy(extra, 0, pairs, 4, extra.length);
    return map(pairs);
  }

  static byte[] v2Input(byte[]... extra) {
    byte[][] pairs = new byte[2 + extra.length][];
    pairs[0] = pair(0x0e, filled(32, 0x44));
    pairs[1] = pair(0x0f, u32(0));
    System.arraycopy(extra, 0, pairs, 2, extra.length);
    return map(pairs);
  }

  static byte[] v2Output(byte[]... extra) {
    byte[][] pairs = new byte[2 + extra.length][];
    pairs[0] = pair(0x03, new ByteWriter().i64(1000).toByteArray());
    pairs[1] = pair(0x04, Script.p2wpkh(filled(20, 0xcc)).bytes());
    System.arraycopy(extra, 0, pairs, 2, extra.length);
    return map(pairs);
  }

  /** A minimal valid version 2 PSBT with extra pairs in the input map. */
  static byte[] v2WithInputPairs(byte[]... inputPairs) {
    return psbt(v2Global(), v2Input(inputPairs), v2Output());
  }

  static byte[] v2WithOutputPairs(byte[]... outputPairs) {
    return psbt(v2Global(), v2Input(), v2Output(outputPairs));
  }
}
