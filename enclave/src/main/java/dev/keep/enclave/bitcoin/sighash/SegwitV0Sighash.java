package dev.keep.enclave.bitcoin.sighash;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.tx.ByteWriter;
import dev.keep.enclave.bitcoin.tx.DoubleSha256;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxIn;

/**
 * BIP-143 §Specification: the preimage whose double SHA-256 version 0 witness programs sign.
 * Items 1-10 in the BIP's order; the transaction-wide hashes come from {@link SharedHashes}.
 */
final class SegwitV0Sighash {
  private static final byte[] ZERO_HASH = new byte[32];

  private SegwitV0Sighash() {}

  static byte[] preimage(Transaction tx, SharedHashes shared, int inputIndex, Script scriptCode,
      long amount, SighashType type) throws SighashException {
    if (!type.isValidForSegwitV0AndLegacy()) {
      throw new SighashException(inputIndex, type + " is not a defined BIP-143 hash type"
          + " (ALL, NONE or SINGLE, optionally with ANYONECANPAY)");
    }
    int base = type.base();
    boolean noneOrSingle = base == SighashType.BASE_NONE || base == SighashType.BASE_SINGLE;
    TxIn in = tx.inputs().get(inputIndex);

    // "hashPrevouts: If the ANYONECANPAY flag is not set, ... the double SHA256 of ... all input
    // outpoints; otherwise ... 0x0000......0000."
    byte[] hashPrevouts = type.anyoneCanPay() ? ZERO_HASH : shared.hashPrevouts();
    // "hashSequence: If none of the ANYONECANPAY, SINGLE, NONE sighash type is set, ... the double
    // SHA256 of ... nSequence of all inputs; otherwise ... 0x0000......0000."
    byte[] hashSequence = type.anyoneCanPay() || noneOrSingle ? ZERO_HASH : shared.hashSequence();
    // "hashOutputs: If the sighash type is neither SINGLE nor NONE, ... all output[s]; if ...
    // SINGLE and the input index is smaller than the number of outputs, ... the output ... of the
    // same index as the input; otherwise ... 0x0000......0000." BIP-143 defines the out-of-range
    // case, so it is followed, not refused.
    byte[] hashOutputs;
    if (!noneOrSingle) {
      hashOutputs = shared.hashOutputs();
    } else if (base == SighashType.BASE_SINGLE && inputIndex < tx.outputs().size()) {
      hashOutputs = DoubleSha256.of(tx.outputs().get(inputIndex).serialize());
    } else {
      hashOutputs = ZERO_HASH;
    }

    return new ByteWriter(160 + scriptCode.length())
        .u32(tx.version()) // 1. nVersion
        .bytes(hashPrevouts) // 2.
        .bytes(hashSequence) // 3.
        .bytes(in.prevout().txid().internalBytes()) // 4. outpoint
        .u32(in.prevout().index())
        .varBytes(scriptCode.bytes()) // 5. "serialized as scripts inside CTxOuts"
        .i64(amount) // 6. value of the output spent by this input
        .u32(in.sequence()) // 7. nSequence
        .bytes(hashOutputs) // 8.
        .u32(tx.lockTime()) // 9. nLocktime
        .u32(type.value()) // 10. sighash type, 4 bytes
        .toByteArray();
  }
}
