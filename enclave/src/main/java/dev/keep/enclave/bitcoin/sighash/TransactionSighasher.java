package dev.keep.enclave.bitcoin.sighash;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.tx.DoubleSha256;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.signing.Digest32;
import dev.keep.enclave.signing.TaggedHash;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The signature hashes of one transaction's inputs: legacy, BIP-143 (segwit v0) and BIP-341
 * (taproot key path).
 *
 * <p>The transaction-wide hashes of BIP-143 and BIP-341 (prevouts, sequences, outputs, spent
 * amounts and scriptPubKeys) are computed once, when first needed, and reused by every input, so
 * hashing all n inputs of a segwit or taproot transaction costs O(n). Safe to share between
 * threads.
 */
public final class TransactionSighasher {
  private static final String TAP_SIGHASH_TAG = "TapSighash";

  private final Transaction tx;
  private final List<TxOut> spentOutputs;
  private final SharedHashes shared;

  /**
   * @param spentOutputs the output each input spends, in input order; an entry is null when it is
   *     not known, and then BIP-341 hashes that need it fail with a {@link SighashException}
   *     naming the input (legacy and BIP-143 hashes never read this list)
   * @throws IllegalArgumentException when the list's size differs from the number of inputs
   */
  public TransactionSighasher(Transaction tx, List<TxOut> spentOutputs) {
    if (tx == null || spentOutputs == null) {
      throw new IllegalArgumentException("transaction and spent outputs are required");
    }
    if (spentOutputs.size() != tx.inputs().size()) {
      throw new IllegalArgumentException("spent outputs: " + spentOutputs.size()
          + " entries for " + tx.inputs().size() + " inputs; there must be one per input");
    }
    this.tx = tx;
    // List.copyOf refuses nulls, and a null here means "unknown".
    this.spentOutputs = Collections.unmodifiableList(new ArrayList<>(spentOutputs));
    this.shared = new SharedHashes(tx, this.spentOutputs);
  }

  /**
   * The original algorithm (Bitcoin Core's SignatureHash for SIGVERSION_BASE), for P2PKH, P2SH and
   * bare scripts. OP_CODESEPARATORs are removed from {@code scriptCode}.
   *
   * @throws SighashException for a hash type other than ALL, NONE or SINGLE (with or without
   *     ANYONECANPAY); for SIGHASH_SINGLE when there is no output at {@code inputIndex}, where the
   *     original algorithm signs the constant 1 and the signature would be replayable; for a
   *     scriptCode whose last push runs past its end
   */
  public Digest32 legacy(int inputIndex, Script scriptCode, SighashType type)
      throws SighashException {
    checkIndex(inputIndex);
    requireNonNull(scriptCode, type);
    byte[] preimage = LegacySighash.preimage(tx, inputIndex, scriptCode, type);
    return Digest32.computed(DoubleSha256.of(preimage));
  }

  /**
   * BIP-143 §Specification. {@code scriptCode} is item 5, without its length (serialisation adds
   * it): {@link ScriptCodes#p2wpkh} for P2WPKH, the witnessScript for P2WSH (after the last
   * executed OP_CODESEPARATOR, if it has any). SIGHASH_SINGLE without a matching output commits
   * to a zero hashOutputs, exactly as BIP-143 defines.
   *
   * @param amount the value of the output this input spends, in satoshis (item 6)
   * @throws SighashException for a hash type other than ALL, NONE or SINGLE (with or without
   *     ANYONECANPAY)
   */
  public Digest32 segwitV0(int inputIndex, Script scriptCode, long amount, SighashType type)
      throws SighashException {
    byte[] preimage = segwitV0Preimage(inputIndex, scriptCode, amount, type);
    return Digest32.computed(DoubleSha256.of(preimage));
  }

  /** The BIP-143 preimage that {@link #segwitV0} hashes; the BIP's examples print it. */
  byte[] segwitV0Preimage(int inputIndex, Script scriptCode, long amount, SighashType type)
      throws SighashException {
    checkIndex(inputIndex);
    requireNonNull(scriptCode, type);
    return SegwitV0Sighash.preimage(tx, shared, inputIndex, scriptCode, amount, type);
  }

  /**
   * BIP-341 §Taproot key path spending: {@code hash_TapSighash(0x00 || SigMsg(hash_type, 0))},
   * with no annex.
   *
   * @throws SighashException for a hash type BIP-341 does not define; for SIGHASH_SINGLE when
   *     there is no output at {@code inputIndex}; when a spent output the message commits to is
   *     unknown (this input's always, every input's unless ANYONECANPAY)
   */
  public Digest32 taprootKeyPath(int inputIndex, SighashType type) throws SighashException {
    return TaggedHash.of(TAP_SIGHASH_TAG, taprootSigMsg(inputIndex, type));
  }

  /**
   * The bytes {@link #taprootKeyPath} hashes: the epoch byte 0x00 followed by SigMsg(hash_type, 0),
   * as the BIP-341 wallet test vectors print {@code sigMsg}.
   */
  public byte[] taprootSigMsg(int inputIndex, SighashType type) throws SighashException {
    checkIndex(inputIndex);
    if (type == null) {
      throw new IllegalArgumentException("sighash type is required");
    }
    return TaprootSighash.message(tx, spentOutputs, shared, inputIndex, type);
  }

  /** How many transaction-wide hashes have been computed so far; each is computed at most once. */
  int sharedHashComputations() {
    return shared.computations();
  }

  private void checkIndex(int inputIndex) {
    if (inputIndex < 0 || inputIndex >= tx.inputs().size()) {
      throw new IllegalArgumentException("input index " + inputIndex + " is outside the "
          + tx.inputs().size() + " inputs of the transaction");
    }
  }

  private static void requireNonNull(Script scriptCode, SighashType type) {
    if (scriptCode == null || type == null) {
      throw new IllegalArgumentException("scriptCode and sighash type are required");
    }
  }
}
