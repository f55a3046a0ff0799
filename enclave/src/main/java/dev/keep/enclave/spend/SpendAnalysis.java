package dev.keep.enclave.spend;

import dev.keep.enclave.bitcoin.tx.OutPoint;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.bitcoin.tx.Txid;
import dev.keep.enclave.keys.Network;
import java.util.List;
import java.util.Optional;

/**
 * What a PSBT spends and where the money goes, worked out by the enclave from data it verified.
 *
 * @param vsize the virtual size once every input is signed (BIP-141: weight / 4, rounded up),
 *     estimated from the input templates; see {@link SignedSize}
 * @param externalTotal what leaves the key's control: every output not proven to be change,
 *     OP_RETURN and unknown scripts included
 * @param stableTxid the txid when no signature can change it: every input spends a native
 *     witness program, so every scriptSig stays empty
 */
public record SpendAnalysis(
    int psbtVersion,
    Network network,
    Transaction unsignedTx,
    List<SpentInput> inputs,
    List<AnalysedOutput> outputs,
    long inputTotal,
    long outputTotal,
    long fee,
    long vsize,
    long externalTotal,
    long changeTotal,
    Optional<Txid> stableTxid) {

  public SpendAnalysis {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  /** Where an input's amount and script came from. */
  public enum UtxoSource {
    NON_WITNESS_UTXO("non_witness_utxo"),
    WITNESS_UTXO("witness_utxo"),
    BOTH("both");

    private final String wireName;

    UtxoSource(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }
  }

  /** An input and the output it spends; {@code owner} is set when this key can sign it. */
  public record SpentInput(
      int index, OutPoint outpoint, TxOut spent, UtxoSource source, Optional<Ownership> owner) {}

  /**
   * An output, its address for the key's network (empty when the script has none), and {@code
   * change} when the enclave derived this script from its own key.
   */
  public record AnalysedOutput(int index, TxOut output, Optional<String> address, Optional<Ownership> change) {}

  /** Fee per virtual byte, sat/vB. */
  public double feeRate() {
    return (double) fee / vsize;
  }
}
