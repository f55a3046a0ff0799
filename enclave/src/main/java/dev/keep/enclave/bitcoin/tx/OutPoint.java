package dev.keep.enclave.bitcoin.tx;

/** The output a transaction input spends: a txid and an output index (uint32). */
public record OutPoint(Txid txid, long index) {
  public OutPoint {
    if (txid == null) {
      throw new IllegalArgumentException("outpoint txid is required");
    }
    if (index < 0 || index > 0xffffffffL) {
      throw new IllegalArgumentException("outpoint index must be a uint32, got " + index);
    }
  }

  @Override
  public String toString() {
    return txid.toDisplayHex() + ":" + index;
  }
}
