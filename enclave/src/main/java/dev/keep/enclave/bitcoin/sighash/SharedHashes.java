package dev.keep.enclave.bitcoin.sighash;

import dev.keep.enclave.bitcoin.tx.ByteWriter;
import dev.keep.enclave.bitcoin.tx.DoubleSha256;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxIn;
import dev.keep.enclave.bitcoin.tx.TxOut;
import java.util.List;

/**
 * The per-transaction hashes that BIP-143 and BIP-341 let every input reuse, each computed at most
 * once, when first needed. BIP-341's are single SHA-256 ({@code sha_prevouts}, ...); BIP-143's are
 * double SHA-256 of the same bytes, so they are one more SHA-256 of BIP-341's (BIP-143
 * §Specification: "hashPrevouts ... calculated in an earlier verification may be reused").
 *
 * <p>Thread-safe: each getter is synchronized, so concurrent signers of one transaction share one
 * computation.
 */
final class SharedHashes {
  private final Transaction tx;
  private final List<TxOut> spentOutputs;

  private byte[] shaPrevouts;
  private byte[] shaSequences;
  private byte[] shaOutputs;
  private byte[] shaAmounts;
  private byte[] shaScriptPubKeys;
  private int computations;

  SharedHashes(Transaction tx, List<TxOut> spentOutputs) {
    this.tx = tx;
    this.spentOutputs = spentOutputs;
  }

  /** BIP-341 sha_prevouts: SHA256 of every input's outpoint (txid, then uint32 index). */
  synchronized byte[] shaPrevouts() {
    if (shaPrevouts == null) {
      ByteWriter w = new ByteWriter(36 * tx.inputs().size());
      for (TxIn in : tx.inputs()) {
        w.bytes(in.prevout().txid().internalBytes()).u32(in.prevout().index());
      }
      shaPrevouts = counted(w);
    }
    return shaPrevouts;
  }

  /** BIP-341 sha_sequences: SHA256 of every input's nSequence. */
  synchronized byte[] shaSequences() {
    if (shaSequences == null) {
      ByteWriter w = new ByteWriter(4 * tx.inputs().size());
      for (TxIn in : tx.inputs()) {
        w.u32(in.sequence());
      }
      shaSequences = counted(w);
    }
    return shaSequences;
  }

  /** BIP-341 sha_outputs: SHA256 of every output serialised as in a transaction. */
  synchronized byte[] shaOutputs() {
    if (shaOutputs == null) {
      ByteWriter w = new ByteWriter(34 * tx.outputs().size());
      for (TxOut out : tx.outputs()) {
        w.bytes(out.serialize());
      }
      shaOutputs = counted(w);
    }
    return shaOutputs;
  }

  /** BIP-341 sha_amounts: SHA256 of every spent output's amount. Caller checked none is missing. */
  synchronized byte[] shaAmounts() {
    if (shaAmounts == null) {
      ByteWriter w = new ByteWriter(8 * spentOutputs.size());
      for (TxOut spent : spentOutputs) {
        w.i64(spent.amount());
      }
      shaAmounts = counted(w);
    }
    return shaAmounts;
  }

  /** BIP-341 sha_scriptpubkeys: SHA256 of every spent scriptPubKey with its CompactSize length. */
  synchronized byte[] shaScriptPubKeys() {
    if (shaScriptPubKeys == null) {
      ByteWriter w = new ByteWriter(35 * spentOutputs.size());
      for (TxOut spent : spentOutputs) {
        w.varBytes(spent.scriptPubKey().bytes());
      }
      shaScriptPubKeys = counted(w);
    }
    return shaScriptPubKeys;
  }

  /** BIP-143 hashPrevouts. */
  byte[] hashPrevouts() {
    return DoubleSha256.sha256(shaPrevouts());
  }

  /** BIP-143 hashSequence. */
  byte[] hashSequence() {
    return DoubleSha256.sha256(shaSequences());
  }

  /** BIP-143 hashOutputs for ALL. */
  byte[] hashOutputs() {
    return DoubleSha256.sha256(shaOutputs());
  }

  /** How many of the five transaction-wide hashes have been computed; each counts once at most. */
  synchronized int computations() {
    return computations;
  }

  private byte[] counted(ByteWriter w) {
    computations++;
    return DoubleSha256.sha256(w.toByteArray());
  }
}
