package dev.keep.enclave.bitcoin.sighash;

/**
 * A signature hash that cannot or must not be computed for an input, because of the data it was
 * given: a hash type the algorithm does not define, SIGHASH_SINGLE without an output at the
 * input's index, a spent output that BIP-341 needs but nobody supplied. The message names the
 * input and the rule, for example {@code "input 2: SIGHASH_SINGLE needs output 2, but the
 * transaction has 2 outputs (BIP-341 §Common signature message)"}.
 */
public final class SighashException extends Exception {
  private final int inputIndex;

  public SighashException(int inputIndex, String rule) {
    super("input " + inputIndex + ": " + rule);
    this.inputIndex = inputIndex;
  }

  /** The index of the input whose sighash was refused. */
  public int inputIndex() {
    return inputIndex;
  }
}
