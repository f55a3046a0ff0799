package dev.keep.enclave.psbt.sign;

import dev.keep.enclave.bitcoin.script.Hash160;
import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.script.ScriptType;
import dev.keep.enclave.bitcoin.tx.ByteWriter;
import dev.keep.enclave.psbt.PartialSig;
import dev.keep.enclave.psbt.Psbt;
import dev.keep.enclave.psbt.PsbtInput;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * BIP-174 §Input Finalizer for the single-key templates: builds the final scriptSig and witness
 * from the signatures present, whoever made them. Inputs of other templates, or without the
 * signature they need, are left as they are.
 */
final class InputFinalizer {
  private InputFinalizer() {}

  /** Finalises input {@code i}, which spends {@code spent}; true when it is final afterwards. */
  static boolean finalizeInput(Psbt psbt, int i, Script spent) {
    PsbtInput in = psbt.input(i);
    if (in.isFinalized()) {
      return true;
    }
    switch (spent.type()) {
      case P2WPKH -> {
        Optional<PartialSig> sig = sigFor(in, spent.witnessProgram());
        sig.ifPresent(s -> psbt.finalizeInput(i, null, List.of(s.signature(), s.publicKey())));
        return sig.isPresent();
      }
      case P2SH -> {
        Optional<Script> redeem = in.redeemScript();
        if (redeem.isEmpty() || redeem.get().type() != ScriptType.P2WPKH) {
          return false;
        }
        Optional<PartialSig> sig = sigFor(in, redeem.get().witnessProgram());
        // BIP-141 §P2WPKH nested in BIP16 P2SH: scriptSig is one push of the redeem script.
        sig.ifPresent(s -> psbt.finalizeInput(
            i, Script.of(pushes(redeem.get().bytes())), List.of(s.signature(), s.publicKey())));
        return sig.isPresent();
      }
      case P2PKH -> {
        byte[] hash = Arrays.copyOfRange(spent.bytes(), 3, 23);
        Optional<PartialSig> sig = sigFor(in, hash);
        sig.ifPresent(s -> psbt.finalizeInput(i, Script.of(pushes(s.signature(), s.publicKey())), null));
        return sig.isPresent();
      }
      case P2TR -> {
        // BIP-341 §Script validation rules: a key-path spend's witness is the signature alone.
        Optional<byte[]> sig = in.tapKeySig();
        sig.ifPresent(s -> psbt.finalizeInput(i, null, List.of(s)));
        return sig.isPresent();
      }
      default -> {
        return false;
      }
    }
  }

  private static Optional<PartialSig> sigFor(PsbtInput in, byte[] keyHash) {
    return in.partialSigs().stream()
        .filter(s -> Arrays.equals(Hash160.of(s.publicKey()), keyHash))
        .findFirst();
  }

  /** Direct pushes (each item at most 75 bytes, which is all these templates push). */
  private static byte[] pushes(byte[]... items) {
    ByteWriter w = new ByteWriter();
    for (byte[] item : items) {
      if (item.length > 75) {
        throw new IllegalStateException("push of " + item.length + " bytes needs OP_PUSHDATA");
      }
      w.u8(item.length).bytes(item);
    }
    return w.toByteArray();
  }
}
