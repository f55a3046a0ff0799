package dev.keep.enclave.bitcoin.tx;

/**
 * A byte string that is not a well-formed transaction. The message names the field and the rule,
 * for example {@code "input 2 scriptSig: length 80 exceeds the 12 bytes left"}.
 */
public final class TxFormatException extends Exception {
  public TxFormatException(String message) {
    super(message);
  }
}
