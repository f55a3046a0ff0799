package dev.keep.enclave.spend;

import dev.keep.enclave.bitcoin.script.Hash160;
import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.script.ScriptType;
import dev.keep.enclave.bitcoin.tx.DoubleSha256;
import dev.keep.enclave.bitcoin.tx.OutPoint;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxIn;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.bitcoin.tx.Txid;
import dev.keep.enclave.keys.Network;
import dev.keep.enclave.psbt.Psbt;
import dev.keep.enclave.psbt.PsbtInput;
import dev.keep.enclave.psbt.PsbtOutput;
import dev.keep.enclave.spend.SpendAnalysis.AnalysedOutput;
import dev.keep.enclave.spend.SpendAnalysis.SpentInput;
import dev.keep.enclave.spend.SpendAnalysis.UtxoSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Works out what a PSBT spends, from verified data only.
 *
 * <p>Each input's amount and script come from its {@code non_witness_utxo} (whose txid the
 * parser checked against the outpoint) or its {@code witness_utxo}; when both are present they
 * must agree. Inputs that are not taproot need the {@code non_witness_utxo} unless the rules say
 * otherwise (see {@link SpendRules#requireNonWitnessUtxo()}). Every input needs one or the
 * other, ours or not: without every amount the fee is unknown, and the fee is what a PSBT hides
 * when it lies.
 *
 * <p>An output is change only when {@link OwnScripts} derives its script from this key.
 */
public final class SpendAnalyzer {
  private SpendAnalyzer() {}

  public static SpendAnalysis analyze(Psbt psbt, OwnScripts own, Network network, SpendRules rules)
      throws SpendException {
    if (psbt.computedLockTime().isEmpty()) {
      // BIP-370 §Determining Lock Time: one input needs a height lock, another a time lock.
      throw SpendException.invalid("psbt",
          "the inputs' required lock times conflict (a height and a time), so no lock time satisfies them (BIP-370)");
    }
    Transaction tx = psbt.unsignedTx();
    List<SpentInput> inputs = new ArrayList<>(tx.inputs().size());
    List<Script> spentScripts = new ArrayList<>(tx.inputs().size());
    long inputTotal = 0;
    boolean allNative = true;
    for (int i = 0; i < tx.inputs().size(); i++) {
      PsbtInput in = psbt.input(i);
      TxIn txIn = tx.inputs().get(i);
      SpentInput spent = spentInput(i, txIn.prevout(), in, own, rules);
      inputs.add(spent);
      spentScripts.add(spent.spent().scriptPubKey());
      inputTotal = addAmount(inputTotal, spent.spent().amount(), "input " + i);
      // Only native witness spends keep an empty scriptSig, so only they fix the txid now.
      allNative &= spent.spent().scriptPubKey().witnessVersion() >= 0;
    }
    List<AnalysedOutput> outputs = new ArrayList<>(tx.outputs().size());
    long outputTotal = 0;
    long changeTotal = 0;
    for (int o = 0; o < tx.outputs().size(); o++) {
      TxOut out = tx.outputs().get(o);
      String where = "output " + o;
      if (!out.isValidAmount()) {
        throw SpendException.invalid(where, "amount " + out.amount() + " is outside 0..21,000,000 BTC");
      }
      outputTotal = addAmount(outputTotal, out.amount(), where);
      PsbtOutput meta = psbt.output(o);
      Optional<Ownership> change = own.claimOutput(meta, out.scriptPubKey());
      if (change.isPresent()) {
        changeTotal += out.amount();
      }
      outputs.add(new AnalysedOutput(o, out, Addresses.render(out.scriptPubKey(), network), change));
    }
    if (outputTotal > inputTotal) {
      throw SpendException.invalid(
          "transaction", "outputs total " + outputTotal + " sats, more than the inputs' " + inputTotal);
    }
    long vsize = SignedSize.vsize(tx, psbt.inputs(), spentScripts);
    Optional<Txid> stableTxid = allNative ? Optional.of(tx.txid()) : Optional.empty();
    return new SpendAnalysis(
        psbt.version(),
        network,
        tx,
        inputs,
        outputs,
        inputTotal,
        outputTotal,
        inputTotal - outputTotal,
        vsize,
        outputTotal - changeTotal,
        changeTotal,
        stableTxid);
  }

  private static SpentInput spentInput(
      int i, OutPoint prevout, PsbtInput in, OwnScripts own, SpendRules rules) throws SpendException {
    String where = "input " + i;
    Optional<TxOut> fromFull =
        in.nonWitnessUtxo().map(prev -> prev.outputs().get((int) prevout.index()));
    Optional<TxOut> fromWitness = in.witnessUtxo();
    TxOut spent;
    UtxoSource source;
    if (fromFull.isPresent() && fromWitness.isPresent()) {
      if (!fromFull.get().equals(fromWitness.get())) {
        throw SpendException.invalid(where,
            "witness_utxo (" + describe(fromWitness.get()) + ") disagrees with output " + prevout.index()
                + " of non_witness_utxo (" + describe(fromFull.get()) + ")");
      }
      spent = fromFull.get();
      source = UtxoSource.BOTH;
    } else if (fromFull.isPresent()) {
      spent = fromFull.get();
      source = UtxoSource.NON_WITNESS_UTXO;
    } else if (fromWitness.isPresent()) {
      spent = fromWitness.get();
      source = UtxoSource.WITNESS_UTXO;
    } else {
      throw SpendException.invalid(where,
          "has neither non_witness_utxo nor witness_utxo, so the amount it spends is unknown");
    }
    if (!spent.isValidAmount()) {
      throw SpendException.invalid(where, "spent amount " + spent.amount() + " is outside 0..21,000,000 BTC");
    }
    Script script = spent.scriptPubKey();
    boolean taproot = script.type() == ScriptType.P2TR;
    if (source == UtxoSource.WITNESS_UTXO && !spendsWitnessProgram(script, in)) {
      // BIP-174 §Signer: a witness UTXO for a non-witness script is refused.
      throw SpendException.invalid(where,
          "witness_utxo given for a " + script.type().name().toLowerCase(Locale.ROOT)
              + " script that is not a witness program; a legacy input needs non_witness_utxo");
    }
    checkScripts(where, in, script);
    if (source == UtxoSource.WITNESS_UTXO && !taproot && rules.requireNonWitnessUtxo()) {
      throw SpendException.invalid(where,
          "non_witness_utxo is required for a segwit v0 input: its signature does not commit to the "
              + "other inputs' amounts, so a witness_utxo alone could hide the real fee");
    }
    return new SpentInput(i, prevout, spent, source, own.claimInput(in, script));
  }

  /**
   * BIP-174 §Signer checks: a redeem script must hash to the P2SH script it spends, and a
   * witness script to the P2WSH program (directly or inside the redeem script).
   */
  private static void checkScripts(String where, PsbtInput in, Script spent) throws SpendException {
    Script program = spent;
    if (in.redeemScript().isPresent()) {
      Script redeem = in.redeemScript().get();
      if (spent.type() != ScriptType.P2SH
          || !Script.p2sh(Hash160.of(redeem.bytes())).equals(spent)) {
        throw SpendException.invalid(where, "redeem_script does not hash to the script it spends (" + spent + ")");
      }
      program = redeem;
    }
    if (in.witnessScript().isPresent()) {
      byte[] hash = DoubleSha256.sha256(in.witnessScript().get().bytes());
      if (program.type() != ScriptType.P2WSH || !Arrays.equals(program.witnessProgram(), hash)) {
        throw SpendException.invalid(where,
            "witness_script does not hash to the P2WSH program of " + (program == spent ? "the spent script" : "redeem_script"));
      }
    }
  }

  /** Whether spending {@code script} uses a witness: a witness program, or P2SH around one. */
  private static boolean spendsWitnessProgram(Script script, PsbtInput in) {
    if (script.witnessVersion() >= 0) {
      return true;
    }
    if (script.type() == ScriptType.P2SH) {
      // Known only from the redeem script, or from a finalised witness.
      return in.redeemScript().map(r -> r.witnessVersion() >= 0).orElse(false)
          || in.finalScriptWitness().map(w -> !w.isEmpty()).orElse(false);
    }
    return false;
  }

  private static long addAmount(long total, long amount, String where) throws SpendException {
    long sum = total + amount;
    if (sum > TxOut.MAX_MONEY) {
      throw SpendException.invalid(where, "running total " + sum + " sats exceeds 21,000,000 BTC");
    }
    return sum;
  }

  private static String describe(TxOut out) {
    return out.amount() + " sats to " + out.scriptPubKey();
  }
}
