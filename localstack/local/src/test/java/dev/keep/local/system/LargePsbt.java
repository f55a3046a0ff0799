package dev.keep.local.system;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.taproot.TapTweak;
import dev.keep.enclave.bitcoin.tx.OutPoint;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxIn;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.bitcoin.tx.Txid;
import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.enclave.psbt.Psbt;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/** A taproot PSBT with as many BIP-86 inputs of one key as fit a base64 size limit. */
final class LargePsbt {
  private LargePsbt() {}

  static String upTo(XOnlyPublicKey key, int maxBase64Chars) {
    Script ours = TapTweak.p2trScript(key, Optional.empty());
    Random random = new Random(5);
    String best = null;
    for (int n = 100; ; n += 20) {
      List<TxIn> inputs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        byte[] txid = new byte[32];
        random.nextBytes(txid);
        inputs.add(TxIn.unsigned(new OutPoint(Txid.fromInternal(txid), 0), 0xfffffffdL));
      }
      byte[] payee = new byte[20];
      random.nextBytes(payee);
      Psbt psbt = Psbt.createV0(new Transaction(2, inputs, List.of(new TxOut(n * 9_000L, Script.p2wpkh(payee))), 0));
      for (int i = 0; i < n; i++) {
        psbt.setWitnessUtxo(i, new TxOut(10_000, ours));
      }
      String base64 = psbt.toBase64();
      if (base64.length() > maxBase64Chars) {
        return best;
      }
      best = base64;
    }
  }
}
