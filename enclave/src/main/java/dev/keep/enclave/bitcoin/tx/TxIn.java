package dev.keep.enclave.bitcoin.tx;

import dev.keep.enclave.bitcoin.script.Script;
import java.util.List;

/** A transaction input: the outpoint it spends, its scriptSig, its sequence and its witness stack. */
public record TxIn(OutPoint prevout, Script scriptSig, long sequence, List<byte[]> witness) {
  public static final long SEQUENCE_FINAL = 0xffffffffL;

  public TxIn {
    if (prevout == null || scriptSig == null) {
      throw new IllegalArgumentException("input prevout and scriptSig are required");
    }
    if (sequence < 0 || sequence > 0xffffffffL) {
      throw new IllegalArgumentException("sequence must be a uint32, got " + sequence);
    }
    witness = witness == null ? List.of() : List.copyOf(witness);
  }

  /** An unsigned input, as PSBT builds them: empty scriptSig, no witness. */
  public static TxIn unsigned(OutPoint prevout, long sequence) {
    return new TxIn(prevout, Script.EMPTY, sequence, List.of());
  }

  public TxIn withScriptSig(Script script) {
    return new TxIn(prevout, script, sequence, witness);
  }

  public TxIn withWitness(List<byte[]> stack) {
    return new TxIn(prevout, scriptSig, sequence, stack);
  }
}
