package dev.keep.local.verify;

import fr.acinq.bitcoin.OutPoint;
import fr.acinq.bitcoin.ScriptFlags;
import fr.acinq.bitcoin.Transaction;
import fr.acinq.bitcoin.TxOut;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a signed transaction with ACINQ's bitcoin-kmp: its own transaction parser, sighashes
 * (legacy, BIP-143, BIP-341) and script interpreter, under Bitcoin Core's standard verification
 * flags (taproot included). It shares no code with Keep except libsecp256k1's curve operations.
 */
public final class TransactionCheck {
  private TransactionCheck() {}

  /**
   * Null when every input of {@code signedTxHex} correctly spends the output it names in
   * {@code previous} (raw previous transactions, hex); else what failed.
   */
  public static String correctlySpends(String signedTxHex, List<String> previousTxHex) {
    try {
      Transaction tx = Transaction.Companion.read(signedTxHex);
      Map<OutPoint, TxOut> spent = new HashMap<>();
      for (String hex : previousTxHex) {
        Transaction prev = Transaction.Companion.read(hex);
        for (int i = 0; i < prev.txOut.size(); i++) {
          spent.put(new OutPoint(prev, i), prev.txOut.get(i));
        }
      }
      tx.correctlySpends(spent, ScriptFlags.STANDARD_SCRIPT_VERIFY_FLAGS);
      return null;
    } catch (RuntimeException e) {
      return "bitcoin-kmp rejects the transaction: " + e;
    }
  }
}
