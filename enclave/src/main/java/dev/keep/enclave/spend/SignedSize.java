package dev.keep.enclave.spend;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.script.ScriptType;
import dev.keep.enclave.bitcoin.tx.ByteWriter;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.psbt.PsbtInput;
import java.util.List;
import java.util.Optional;

/**
 * Estimates a transaction's size once every input is signed, for the fee rate (BIP-141: weight
 * = 3 × size without witnesses + total size; vsize = weight / 4 rounded up).
 *
 * <p>Per input: a finalised input counts its real scriptSig and witness. Otherwise the template's
 * largest signed form: ECDSA signatures as 72 DER bytes plus the hash type byte (libsecp256k1
 * does not grind for low R), compressed keys, and BIP-340 signatures as 64 bytes (65 with an
 * explicit hash type). P2WSH and P2SH multisig count m signatures from the script. Any other
 * script counts its unsigned size only, so the fee rate is then an upper bound.
 */
final class SignedSize {
  private static final int ECDSA_PUSH = 1 + 73;
  private static final int KEY_PUSH = 1 + 33;

  private SignedSize() {}

  /** Extra scriptSig bytes and witness bytes one input adds when signed. */
  private record Added(int scriptSig, int witness) {
    static final Added NONE = new Added(0, 0);
  }

  static long vsize(Transaction unsigned, List<PsbtInput> inputs, List<Script> spentScripts) {
    long base = unsigned.serializeWithoutWitness().length;
    long witness = 0;
    int withoutWitness = 0;
    for (int i = 0; i < inputs.size(); i++) {
      Added a = added(inputs.get(i), spentScripts.get(i));
      // The unsigned tx has a 1-byte empty scriptSig; a filled one needs its length prefix.
      base += a.scriptSig() == 0 ? 0 : a.scriptSig() + ByteWriter.compactSizeLength(a.scriptSig()) - 1;
      witness += a.witness();
      withoutWitness += a.witness() == 0 ? 1 : 0;
    }
    if (witness > 0) {
      // Marker and flag, and an empty stack (one 0x00 byte) for every input without a witness.
      witness += 2 + withoutWitness;
    }
    long weight = base * 4 + witness;
    return (weight + 3) / 4;
  }

  private static Added added(PsbtInput in, Script spent) {
    if (in.isFinalized()) {
      int sig = in.finalScriptSig().map(Script::length).orElse(0);
      int wit = in.finalScriptWitness().map(SignedSize::stackSize).orElse(0);
      return new Added(sig, wit);
    }
    ScriptType type = spent.type();
    return switch (type) {
      case P2PKH -> new Added(ECDSA_PUSH + KEY_PUSH, 0);
      case P2WPKH -> new Added(0, 1 + ECDSA_PUSH + KEY_PUSH);
      case P2TR -> new Added(0, 1 + 1 + (in.sighashType().orElse(0) == 0 ? 64 : 65));
      case P2WSH -> in.witnessScript().map(ws -> new Added(0, multisigWitness(ws))).orElse(Added.NONE);
      case P2SH -> p2sh(in);
      default -> Added.NONE;
    };
  }

  private static Added p2sh(PsbtInput in) {
    Optional<Script> redeem = in.redeemScript();
    if (redeem.isEmpty()) {
      // Without a redeem script only our own P2SH-P2WPKH is known; assume that form.
      return new Added(1 + 22, 1 + ECDSA_PUSH + KEY_PUSH);
    }
    Script r = redeem.get();
    int push = pushSize(r.length());
    return switch (r.type()) {
      case P2WPKH -> new Added(push, 1 + ECDSA_PUSH + KEY_PUSH);
      case P2WSH -> new Added(push, in.witnessScript().map(SignedSize::multisigWitness).orElse(0));
      default -> {
        int m = multisigThreshold(r);
        yield new Added(m < 0 ? push : 1 + m * ECDSA_PUSH + push, 0);
      }
    };
  }

  /** Witness for CHECKMULTISIG: item count, the dummy empty item, m signatures, the script. */
  private static int multisigWitness(Script witnessScript) {
    int m = multisigThreshold(witnessScript);
    int scriptItem = ByteWriter.compactSizeLength(witnessScript.length()) + witnessScript.length();
    return m < 0 ? 1 + scriptItem : 1 + 1 + m * ECDSA_PUSH + scriptItem;
  }

  /** m of an "OP_m &lt;keys&gt; OP_n OP_CHECKMULTISIG" script, or -1. */
  private static int multisigThreshold(Script script) {
    byte[] s = script.bytes();
    if (s.length < 3 || (s[s.length - 1] & 0xff) != 0xae) {
      return -1;
    }
    int op = s[0] & 0xff;
    return op >= 0x51 && op <= 0x60 ? op - 0x50 : -1;
  }

  private static int pushSize(int n) {
    return (n < 0x4c ? 1 : n <= 0xff ? 2 : 3) + n;
  }

  private static int stackSize(List<byte[]> stack) {
    int size = ByteWriter.compactSizeLength(stack.size());
    for (byte[] item : stack) {
      size += ByteWriter.compactSizeLength(item.length) + item.length;
    }
    return size;
  }
}
