package dev.keep.enclave.psbt.sign;

import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.psbt.Psbt;
import dev.keep.enclave.spend.SpendAnalysis;
import java.util.List;
import java.util.Optional;

/**
 * A signed PSBT with the analysis it was signed under and a result per input. {@code extracted}
 * is present when finalising was asked for and every input is final.
 */
public record SignOutcome(
    Psbt psbt, SpendAnalysis analysis, List<InputResult> inputs, Optional<Transaction> extracted) {
  public SignOutcome {
    inputs = List.copyOf(inputs);
  }

  public boolean complete() {
    return extracted.isPresent();
  }

  public int signedCount() {
    return (int) inputs.stream().filter(InputResult::signed).count();
  }
}
