package dev.keep.enclave.psbt.sign;

import dev.keep.enclave.bitcoin.script.Hash160;
import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.taproot.TapNodeHash;
import dev.keep.enclave.bitcoin.taproot.TapTweak;
import dev.keep.enclave.bitcoin.tx.OutPoint;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxIn;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.bitcoin.tx.Txid;
import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.psbt.Psbt;
import dev.keep.schema.encoding.Hex;
import fr.acinq.bitcoin.ScriptFlags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Builds spends for the signer's tests and benchmarks: made-up funding transactions paying a
 * key's scripts, and a PSBT that spends them. Also checks a signed transaction with bitcoin-kmp,
 * an implementation independent of Keep's.
 */
public final class SpendFixtures {
  private final Random random;
  private final List<Transaction> fundings = new ArrayList<>();
  private final List<TxIn> inputs = new ArrayList<>();
  private final List<TxOut> spent = new ArrayList<>();

  public SpendFixtures(long seed) {
    this.random = new Random(seed);
  }

  public static Script p2wpkh(PublicKey key) {
    return Script.p2wpkh(Hash160.of(key));
  }

  public static Script p2pkh(PublicKey key) {
    return Script.p2pkh(Hash160.of(key));
  }

  public static Script p2shP2wpkh(PublicKey key) {
    return Script.p2sh(Hash160.of(p2wpkh(key).bytes()));
  }

  public static Script p2tr(PublicKey key, Optional<TapNodeHash> root) {
    return TapTweak.p2trScript(key.xOnly(), root);
  }

  /** Adds an input spending a fresh funding output of {@code amount} sats to {@code script}. */
  public SpendFixtures spend(Script script, long amount) {
    byte[] prev = new byte[32];
    random.nextBytes(prev);
    int index = random.nextInt(3);
    List<TxOut> outs = new ArrayList<>();
    for (int i = 0; i < index; i++) {
      outs.add(new TxOut(1_000 + i, randomP2wpkh()));
    }
    outs.add(new TxOut(amount, script));
    Transaction funding = new Transaction(2,
        List.of(new TxIn(new OutPoint(Txid.fromInternal(prev), 1), Script.of(new byte[] {0x51}), 0xffffffffL, List.of())),
        outs, 0);
    fundings.add(funding);
    inputs.add(TxIn.unsigned(new OutPoint(funding.txid(), index), 0xfffffffdL));
    spent.add(funding.outputs().get(index));
    return this;
  }

  public Script randomP2wpkh() {
    byte[] hash = new byte[20];
    random.nextBytes(hash);
    return Script.p2wpkh(hash);
  }

  /**
   * A v0 PSBT of the inputs so far and {@code outputs}, each input with its full previous
   * transaction and, when {@code witnessUtxo}, its witness UTXO too (taproot inputs always).
   */
  public Psbt psbt(List<TxOut> outputs, boolean witnessUtxo) {
    Psbt psbt = Psbt.createV0(new Transaction(2, inputs, outputs, 0));
    for (int i = 0; i < inputs.size(); i++) {
      boolean taproot = spent.get(i).scriptPubKey().type() == dev.keep.enclave.bitcoin.script.ScriptType.P2TR;
      if (!taproot) {
        psbt.setNonWitnessUtxo(i, fundings.get(i));
      }
      if (taproot || (witnessUtxo && spent.get(i).scriptPubKey().witnessVersion() >= 0)) {
        psbt.setWitnessUtxo(i, spent.get(i));
      }
    }
    return psbt;
  }

  public List<Transaction> fundings() {
    return fundings;
  }

  public long total() {
    return spent.stream().mapToLong(TxOut::amount).sum();
  }

  /** Null when bitcoin-kmp's interpreter accepts every input of {@code signed}; else its complaint. */
  public String checkWithBitcoinKmp(Transaction signed) {
    try {
      fr.acinq.bitcoin.Transaction tx = fr.acinq.bitcoin.Transaction.Companion.read(Hex.encode(signed.serialize()));
      Map<fr.acinq.bitcoin.OutPoint, fr.acinq.bitcoin.TxOut> prevouts = new HashMap<>();
      for (Transaction funding : fundings) {
        fr.acinq.bitcoin.Transaction prev = fr.acinq.bitcoin.Transaction.Companion.read(Hex.encode(funding.serialize()));
        for (int i = 0; i < prev.txOut.size(); i++) {
          prevouts.put(new fr.acinq.bitcoin.OutPoint(prev, i), prev.txOut.get(i));
        }
      }
      tx.correctlySpends(prevouts, ScriptFlags.STANDARD_SCRIPT_VERIFY_FLAGS);
      return null;
    } catch (RuntimeException e) {
      return e.toString();
    }
  }
}
