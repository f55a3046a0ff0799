package dev.keep.schema.protocol;

import java.util.Objects;
import java.util.Set;

/**
 * What the enclave worked out about a PSBT and did with it, for the {@code psbt_signed} response
 * and the API's {@code psbt} result. Every figure comes from data the enclave verified: amounts
 * from a {@code non_witness_utxo} whose txid it checked or a {@code witness_utxo}, change from
 * scripts it derived from its own key.
 */
public final class PsbtReport {
  private PsbtReport() {}

  /** Script templates as named on the wire. */
  public static final Set<String> SCRIPT_TYPES =
      Set.of("p2pkh", "p2sh", "p2wpkh", "p2wsh", "p2tr", "witness_unknown", "op_return", "nonstandard");

  /**
   * Totals in satoshis. {@code txid} is the transaction's id when it cannot change any more:
   * every input spends a witness program, or every input is final; else null. {@code fee} = {@code inputTotal - outputTotal}; {@code vsize} is the
   * estimated virtual size once every input is signed (BIP-141 weight / 4, rounded up), and
   * {@code feeRate} = fee / vsize in sat/vB, rounded to two decimals. {@code externalTotal} is what
   * leaves the key's control: every output that is not verified change, OP_RETURN included.
   */
  public record Summary(
      int version,
      String txid,
      long inputTotal,
      long outputTotal,
      long fee,
      long vsize,
      double feeRate,
      long externalTotal,
      long changeTotal,
      int signedInputs) {
    public Summary {
      if (version != 0 && version != 2) {
        throw new IllegalArgumentException("summary.version: must be 0 or 2");
      }
      if (inputTotal < 0 || outputTotal < 0 || fee < 0 || vsize <= 0 || externalTotal < 0 || changeTotal < 0) {
        throw new IllegalArgumentException("summary: amounts must not be negative and vsize must be positive");
      }
    }
  }

  /**
   * One input: the outpoint it spends, the amount and script of that output, and whether this
   * enclave signed it. {@code utxo} says where the amount came from ({@code non_witness_utxo},
   * {@code witness_utxo} or {@code both}, which then agreed). {@code reason} says why it was or
   * was not signed; {@code sighash} and {@code path} are set when it was.
   */
  public record Input(
      int index,
      String outpoint,
      long amount,
      String scriptType,
      String address,
      String utxo,
      boolean signed,
      String sighash,
      String path,
      String reason) {
    public Input {
      Objects.requireNonNull(outpoint, "inputs.outpoint");
      requireScriptType(scriptType);
      Objects.requireNonNull(reason, "inputs.reason");
    }
  }

  /**
   * One output: amount, script, its address for the key's network (null for OP_RETURN and
   * scripts with no address), and whether it is change. {@code change} is true only when the
   * enclave derived this very script from its own key along {@code path}.
   */
  public record Output(
      int index, long amount, String scriptType, String script, String address, boolean change, String path) {
    public Output {
      requireScriptType(scriptType);
      Objects.requireNonNull(script, "outputs.script");
    }
  }

  private static void requireScriptType(String scriptType) {
    if (!SCRIPT_TYPES.contains(scriptType)) {
      throw new IllegalArgumentException("scriptType: must be one of " + SCRIPT_TYPES);
    }
  }
}
