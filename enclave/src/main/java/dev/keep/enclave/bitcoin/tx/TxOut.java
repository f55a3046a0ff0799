package dev.keep.enclave.bitcoin.tx;

import dev.keep.enclave.bitcoin.script.Script;

/**
 * A transaction output: an amount in satoshis and the script that locks it. The amount is the raw
 * int64 from the wire; {@link #isValidAmount} applies the consensus range 0..21,000,000 BTC, which
 * spend analysis enforces.
 */
public record TxOut(long amount, Script scriptPubKey) {
  public static final long MAX_MONEY = 21_000_000L * 100_000_000L;

  public TxOut {
    if (scriptPubKey == null) {
      throw new IllegalArgumentException("output script is required");
    }
  }

  public boolean isValidAmount() {
    return amount >= 0 && amount <= MAX_MONEY;
  }

  void write(ByteWriter w) {
    w.i64(amount).varBytes(scriptPubKey.bytes());
  }

  static TxOut read(ByteReader r, String field) throws TxFormatException {
    long amount = r.readI64(field + " amount");
    byte[] script = r.readVarBytes(field + " scriptPubKey");
    return new TxOut(amount, Script.of(script));
  }

  /** Serialised as in a transaction (and as PSBT_IN_WITNESS_UTXO / BIP-143 needs it). */
  public byte[] serialize() {
    ByteWriter w = new ByteWriter(9 + scriptPubKey.length() + 9);
    write(w);
    return w.toByteArray();
  }

  public static TxOut parse(byte[] bytes, String field) throws TxFormatException {
    ByteReader r = new ByteReader(bytes);
    TxOut out = read(r, field);
    if (!r.atEnd()) {
      throw new TxFormatException(field + ": " + r.remaining() + " unexpected bytes after the output");
    }
    return out;
  }
}
