package dev.keep.enclave.bitcoin.sighash;

import dev.keep.enclave.bitcoin.tx.ByteWriter;
import dev.keep.enclave.bitcoin.tx.DoubleSha256;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxIn;
import dev.keep.enclave.bitcoin.tx.TxOut;
import java.util.List;

/**
 * BIP-341 §Common signature message, for key path spending: {@code ext_flag = 0} and no annex, so
 * {@code spend_type = 0}. {@link #message} returns {@code 0x00 || SigMsg(hash_type, 0)}, the
 * epoch byte first, which is what BIP-341 §Taproot key path spending hashes with the TapSighash
 * tag.
 */
final class TaprootSighash {
  /** "the sighash epoch 0x00" prefixed to SigMsg. */
  private static final int EPOCH = 0x00;

  private static final int KEY_PATH_NO_ANNEX = 0x00;

  private TaprootSighash() {}

  static byte[] message(Transaction tx, List<TxOut> spentOutputs, SharedHashes shared,
      int inputIndex, SighashType type) throws SighashException {
    // "If hash_type is not one of 0x00, 0x01, 0x02, 0x03, 0x81, 0x82 or 0x83, fail."
    if (!type.isValidForTaproot()) {
      throw new SighashException(inputIndex, type + " is not a BIP-341 hash type"
          + " (0x00, 0x01, 0x02, 0x03, 0x81, 0x82 or 0x83)");
    }
    int base = type.value() & 3; // BIP-341 reads the output mode as hash_type & 3
    // "If hash_type & 3 equals SIGHASH_SINGLE and the input index is not smaller than the number
    // of outputs, fail."
    if (base == SighashType.BASE_SINGLE && inputIndex >= tx.outputs().size()) {
      throw new SighashException(inputIndex, "SIGHASH_SINGLE needs output " + inputIndex
          + ", but the transaction has " + tx.outputs().size()
          + " outputs (BIP-341 §Common signature message)");
    }
    requireSpentOutputs(spentOutputs, inputIndex, type.anyoneCanPay());

    ByteWriter w = new ByteWriter(256);
    w.u8(EPOCH);
    // Control
    w.u8(type.value());
    // Transaction data
    w.u32(tx.version()).u32(tx.lockTime());
    if (!type.anyoneCanPay()) {
      w.bytes(shared.shaPrevouts())
          .bytes(shared.shaAmounts())
          .bytes(shared.shaScriptPubKeys())
          .bytes(shared.shaSequences());
    }
    if (base != SighashType.BASE_NONE && base != SighashType.BASE_SINGLE) {
      w.bytes(shared.shaOutputs());
    }
    // Data about this input
    w.u8(KEY_PATH_NO_ANNEX);
    if (type.anyoneCanPay()) {
      TxIn in = tx.inputs().get(inputIndex);
      TxOut spent = spentOutputs.get(inputIndex);
      w.bytes(in.prevout().txid().internalBytes())
          .u32(in.prevout().index())
          .i64(spent.amount())
          .varBytes(spent.scriptPubKey().bytes())
          .u32(in.sequence());
    } else {
      w.u32(inputIndex);
    }
    // Data about this output
    if (base == SighashType.BASE_SINGLE) {
      w.bytes(DoubleSha256.sha256(tx.outputs().get(inputIndex).serialize())); // sha_single_output
    }
    return w.toByteArray();
  }

  /**
   * BIP-341 commits to every spent output's amount and scriptPubKey (sha_amounts,
   * sha_scriptpubkeys) unless ANYONECANPAY, which commits to this input's alone.
   */
  private static void requireSpentOutputs(List<TxOut> spentOutputs, int inputIndex,
      boolean anyoneCanPay) throws SighashException {
    if (spentOutputs.get(inputIndex) == null) {
      throw new SighashException(inputIndex, "the output this input spends is unknown;"
          + " BIP-341 signatures commit to its amount and scriptPubKey");
    }
    if (anyoneCanPay) {
      return;
    }
    for (int i = 0; i < spentOutputs.size(); i++) {
      if (spentOutputs.get(i) == null) {
        throw new SighashException(inputIndex, "the output spent by input " + i + " is unknown;"
            + " without ANYONECANPAY, BIP-341 signatures commit to every spent output's amount"
            + " and scriptPubKey");
      }
    }
  }
}
