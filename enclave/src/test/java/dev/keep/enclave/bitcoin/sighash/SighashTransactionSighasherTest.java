package dev.keep.enclave.bitcoin.sighash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.tx.OutPoint;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxIn;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.bitcoin.tx.Txid;
import dev.keep.schema.encoding.Hex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sighasher's rules: what it refuses and why, and that shared hashes are computed once. */
class SighashTransactionSighasherTest {
  private static final Script P2WPKH_CODE = ScriptCodes.p2wpkh(new byte[20]);

  /** {@code inputs} inputs spending P2TR outputs, {@code outputs} outputs. */
  static Transaction transaction(int inputs, int outputs) {
    List<TxIn> in = new ArrayList<>();
    for (int i = 0; i < inputs; i++) {
      byte[] txid = new byte[32];
      txid[0] = (byte) i;
      txid[1] = (byte) (i >>> 8);
      in.add(TxIn.unsigned(new OutPoint(Txid.fromInternal(txid), i % 3), 0xfffffffdL));
    }
    List<TxOut> out = new ArrayList<>();
    for (int i = 0; i < outputs; i++) {
      out.add(new TxOut(1_000 + i, Script.p2wpkh(new byte[20])));
    }
    return new Transaction(2, in, out, 0);
  }

  static List<TxOut> spent(int inputs) {
    List<TxOut> out = new ArrayList<>();
    for (int i = 0; i < inputs; i++) {
      byte[] key = new byte[32];
      key[31] = (byte) i;
      out.add(new TxOut(50_000 + i, Script.p2tr(key)));
    }
    return out;
  }

  @Test
  void sharedHashes_areComputedOncePerTransaction_notOncePerInput() throws Exception {
    int n = 200;
    TransactionSighasher sighasher = new TransactionSighasher(transaction(n, n), spent(n));
    assertEquals(0, sighasher.sharedHashComputations(), "nothing is computed before it is needed");
    for (int i = 0; i < n; i++) {
      for (SighashType type : List.of(SighashType.DEFAULT, SighashType.ALL, SighashType.SINGLE)) {
        sighasher.taprootKeyPath(i, type);
      }
      sighasher.segwitV0(i, P2WPKH_CODE, 50_000, SighashType.ALL);
      sighasher.segwitV0(i, P2WPKH_CODE, 50_000, SighashType.NONE);
    }
    // sha_prevouts, sha_sequences, sha_outputs, sha_amounts, sha_scriptpubkeys: once each.
    assertEquals(5, sighasher.sharedHashComputations());
  }

  @Test
  void anyoneCanPayNone_needsNoSharedHash() throws Exception {
    TransactionSighasher sighasher = new TransactionSighasher(transaction(3, 1), spent(3));
    sighasher.segwitV0(2, P2WPKH_CODE, 1, SighashType.NONE_ANYONECANPAY);
    sighasher.taprootKeyPath(2, SighashType.NONE_ANYONECANPAY);
    assertEquals(0, sighasher.sharedHashComputations());
  }

  @Test
  void legacySingleWithoutMatchingOutput_isRefused_notTheConstantOne() {
    TransactionSighasher sighasher = new TransactionSighasher(transaction(3, 2), spent(3));
    SighashException e = assertThrows(SighashException.class,
        () -> sighasher.legacy(2, Script.p2pkh(new byte[20]), SighashType.SINGLE));
    assertEquals(2, e.inputIndex());
    assertTrue(e.getMessage().startsWith("input 2: SIGHASH_SINGLE needs output 2"), e.getMessage());
  }

  @Test
  void segwitV0SingleWithoutMatchingOutput_commitsToZeroHashOutputs_asBip143Defines() throws Exception {
    TransactionSighasher sighasher = new TransactionSighasher(transaction(3, 2), spent(3));
    byte[] preimage = sighasher.segwitV0Preimage(2, P2WPKH_CODE, 7, SighashType.SINGLE);
    // hashOutputs is item 8: the 32 bytes before nLockTime and nHashType.
    byte[] hashOutputs = Arrays.copyOfRange(preimage, preimage.length - 40, preimage.length - 8);
    assertArrayEquals(new byte[32], hashOutputs);
  }

  @Test
  void taprootSingleWithoutMatchingOutput_isRefused() {
    TransactionSighasher sighasher = new TransactionSighasher(transaction(3, 2), spent(3));
    for (SighashType type : List.of(SighashType.SINGLE, SighashType.SINGLE_ANYONECANPAY)) {
      SighashException e = assertThrows(SighashException.class, () -> sighasher.taprootKeyPath(2, type));
      assertTrue(e.getMessage().contains("BIP-341"), e.getMessage());
    }
  }

  @Test
  void taprootUnknownSpentOutput_namesTheInputWhoseOutputIsMissing() throws Exception {
    List<TxOut> spent = new ArrayList<>(spent(3));
    spent.set(1, null);
    TransactionSighasher sighasher = new TransactionSighasher(transaction(3, 3), spent);

    SighashException own = assertThrows(SighashException.class,
        () -> sighasher.taprootKeyPath(1, SighashType.ALL_ANYONECANPAY));
    assertTrue(own.getMessage().startsWith("input 1: the output this input spends is unknown"),
        own.getMessage());

    SighashException other = assertThrows(SighashException.class,
        () -> sighasher.taprootKeyPath(0, SighashType.DEFAULT));
    assertEquals(0, other.inputIndex());
    assertTrue(other.getMessage().contains("the output spent by input 1 is unknown"), other.getMessage());

    // ANYONECANPAY commits to this input's spent output only, so the others may be unknown.
    sighasher.taprootKeyPath(0, SighashType.ALL_ANYONECANPAY);
    // BIP-143 carries the amount itself and never reads the list.
    sighasher.segwitV0(1, P2WPKH_CODE, 1, SighashType.ALL);
  }

  @Test
  void hashTypesOutsideEachAlgorithmsSet_areRefused() {
    TransactionSighasher sighasher = new TransactionSighasher(transaction(2, 2), spent(2));
    Script code = Script.p2pkh(new byte[20]);
    assertThrows(SighashException.class, () -> sighasher.legacy(0, code, SighashType.DEFAULT));
    assertThrows(SighashException.class, () -> sighasher.segwitV0(0, code, 1, SighashType.DEFAULT));
    for (int value : new int[] {0x04, 0x80, 0x84, 0x21, 0xc1, 0xff}) {
      SighashType odd = new SighashType(value);
      assertThrows(SighashException.class, () -> sighasher.taprootKeyPath(0, odd), odd.toString());
      assertThrows(SighashException.class, () -> sighasher.segwitV0(0, code, 1, odd), odd.toString());
      assertThrows(SighashException.class, () -> sighasher.legacy(0, code, odd), odd.toString());
    }
  }

  @Test
  void misuse_isAnIllegalArgument() {
    Transaction tx = transaction(2, 2);
    assertThrows(IllegalArgumentException.class, () -> new TransactionSighasher(tx, spent(3)));
    TransactionSighasher sighasher = new TransactionSighasher(tx, spent(2));
    assertThrows(IllegalArgumentException.class, () -> sighasher.taprootKeyPath(2, SighashType.ALL));
    assertThrows(IllegalArgumentException.class,
        () -> sighasher.legacy(-1, P2WPKH_CODE, SighashType.ALL));
  }

  @Test
  void legacyScriptCode_losesItsCodeSeparatorOpcodes_butNotBytesInsidePushes() throws Exception {
    // OP_CODESEPARATOR, push1(0xab), OP_CODESEPARATOR, PUSHDATA1 2 (ab ab), OP_CHECKSIG
    byte[] script = Hex.decode("script", "ab01abab4c02ababac");
    assertEquals("01ab4c02ababac", Hex.encode(LegacySighash.withoutCodeSeparators(0, script)));

    TransactionSighasher sighasher = new TransactionSighasher(transaction(2, 2), spent(2));
    assertEquals(sighasher.legacy(0, Script.fromHex("01ab4c02ababac"), SighashType.ALL),
        sighasher.legacy(0, Script.of(script), SighashType.ALL));
    assertNotEquals(sighasher.segwitV0(0, Script.fromHex("01ab4c02ababac"), 1, SighashType.ALL),
        sighasher.segwitV0(0, Script.of(script), 1, SighashType.ALL),
        "BIP-143 signs the scriptCode it is given, separators and all");
  }

  @Test
  void legacyScriptCode_withAPushPastItsEnd_isRefused() {
    TransactionSighasher sighasher = new TransactionSighasher(transaction(1, 1), spent(1));
    for (String truncated : List.of("05abab", "4c", "4c05ab", "4d0100", "4e01000000")) {
      SighashException e = assertThrows(SighashException.class,
          () -> sighasher.legacy(0, Script.fromHex(truncated), SighashType.ALL), truncated);
      assertTrue(e.getMessage().contains("runs past the end"), e.getMessage());
    }
  }
}
