package dev.keep.enclave.bitcoin.sighash;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.tx.ByteWriter;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxIn;
import dev.keep.enclave.bitcoin.tx.TxOut;
import java.io.ByteArrayOutputStream;

/**
 * The original signature hash, as Bitcoin Core's {@code SignatureHash} computes it for
 * SIGVERSION_BASE (the algorithm the BIP-143 §Motivation calls "the original SignatureHash"): a
 * copy of the transaction with every scriptSig emptied except the signed input's, which holds the
 * scriptCode without its OP_CODESEPARATORs; NONE and SINGLE blank the other inputs' sequences and
 * drop or blank outputs; ANYONECANPAY keeps only the signed input; the 4-byte hash type follows.
 * The hash is double SHA-256 of that serialisation.
 *
 * <p>It is O(size of the transaction) per input, so O(n^2) for a whole transaction: that is the
 * algorithm, and the reason BIP-143 replaced it.
 */
final class LegacySighash {
  private static final int OP_PUSHDATA1 = 0x4c;
  private static final int OP_PUSHDATA2 = 0x4d;
  private static final int OP_PUSHDATA4 = 0x4e;
  private static final int OP_CODESEPARATOR = 0xab;

  private LegacySighash() {}

  static byte[] preimage(Transaction tx, int inputIndex, Script scriptCode, SighashType type)
      throws SighashException {
    if (!type.isValidForSegwitV0AndLegacy()) {
      throw new SighashException(inputIndex, type + " is not a defined legacy hash type"
          + " (ALL, NONE or SINGLE, optionally with ANYONECANPAY)");
    }
    int base = type.base();
    if (base == SighashType.BASE_SINGLE && inputIndex >= tx.outputs().size()) {
      // Core returns the constant 1 here instead of a hash, and a signature over that constant
      // can be replayed onto any transaction spending the same output. Keep refuses to sign it.
      throw new SighashException(inputIndex, "SIGHASH_SINGLE needs output " + inputIndex
          + ", but the transaction has " + tx.outputs().size()
          + " outputs (legacy SignatureHash would sign the constant 1)");
    }
    byte[] code = withoutCodeSeparators(inputIndex, scriptCode.bytes());
    ByteWriter w = new ByteWriter(256 + code.length);
    w.u32(tx.version());

    boolean blankOtherSequences = base == SighashType.BASE_NONE || base == SighashType.BASE_SINGLE;
    if (type.anyoneCanPay()) {
      w.compactSize(1);
      writeInput(w, tx.inputs().get(inputIndex), code, false);
    } else {
      w.compactSize(tx.inputs().size());
      for (int i = 0; i < tx.inputs().size(); i++) {
        TxIn in = tx.inputs().get(i);
        boolean signed = i == inputIndex;
        writeInput(w, in, signed ? code : new byte[0], !signed && blankOtherSequences);
      }
    }

    if (base == SighashType.BASE_NONE) {
      w.compactSize(0);
    } else if (base == SighashType.BASE_SINGLE) {
      // Outputs up to the signed input's index; the ones before it are "null" outputs:
      // amount -1 and an empty script.
      w.compactSize(inputIndex + 1);
      for (int i = 0; i < inputIndex; i++) {
        w.i64(-1).compactSize(0);
      }
      w.bytes(tx.outputs().get(inputIndex).serialize());
    } else {
      w.compactSize(tx.outputs().size());
      for (TxOut out : tx.outputs()) {
        w.bytes(out.serialize());
      }
    }
    w.u32(tx.lockTime());
    w.u32(type.value());
    return w.toByteArray();
  }

  private static void writeInput(ByteWriter w, TxIn in, byte[] script, boolean zeroSequence) {
    w.bytes(in.prevout().txid().internalBytes())
        .u32(in.prevout().index())
        .varBytes(script)
        .u32(zeroSequence ? 0 : in.sequence());
  }

  /**
   * The scriptCode with every OP_CODESEPARATOR opcode removed (bytes inside pushes are data and
   * stay). A push that runs past the end makes Core's serialisation inconsistent with the length
   * it wrote first, so such a scriptCode is refused rather than signed.
   */
  static byte[] withoutCodeSeparators(int inputIndex, byte[] script) throws SighashException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(script.length);
    int pc = 0;
    while (pc < script.length) {
      int start = pc;
      int opcode = script[pc++] & 0xff;
      long pushLength;
      if (opcode < OP_PUSHDATA1) {
        pushLength = opcode;
      } else if (opcode == OP_PUSHDATA1) {
        pushLength = littleEndian(inputIndex, script, pc, 1, start);
        pc += 1;
      } else if (opcode == OP_PUSHDATA2) {
        pushLength = littleEndian(inputIndex, script, pc, 2, start);
        pc += 2;
      } else if (opcode == OP_PUSHDATA4) {
        pushLength = littleEndian(inputIndex, script, pc, 4, start);
        pc += 4;
      } else {
        pushLength = 0;
      }
      if (pushLength > script.length - pc) {
        throw truncated(inputIndex, start);
      }
      pc += (int) pushLength;
      if (opcode != OP_CODESEPARATOR) {
        out.write(script, start, pc - start);
      }
    }
    return out.toByteArray();
  }

  private static long littleEndian(int inputIndex, byte[] script, int at, int size, int opStart)
      throws SighashException {
    if (script.length - at < size) {
      throw truncated(inputIndex, opStart);
    }
    long v = 0;
    for (int i = size - 1; i >= 0; i--) {
      v = (v << 8) | (script[at + i] & 0xff);
    }
    return v;
  }

  private static SighashException truncated(int inputIndex, int opStart) {
    return new SighashException(inputIndex,
        "scriptCode: the push at byte " + opStart + " runs past the end of the script");
  }
}
