package dev.keep.enclave.bitcoin.tx;

import dev.keep.schema.encoding.Hex;
import java.util.Arrays;

/**
 * A transaction id: the double SHA-256 of the transaction without witnesses. It is kept in
 * internal byte order (as it appears in outpoints) and shown reversed, as block explorers and
 * Bitcoin Core show it.
 */
public final class Txid {
  public static final int LENGTH = 32;
  private final byte[] internal;

  private Txid(byte[] internal) {
    this.internal = internal;
  }

  /** From the 32 bytes as they appear on the wire (internal order). */
  public static Txid fromInternal(byte[] bytes) {
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException("txid must be 32 bytes, got " + bytes.length);
    }
    return new Txid(bytes.clone());
  }

  /** From the usual display hex (reversed byte order). */
  public static Txid fromDisplayHex(String hex) {
    byte[] b = Hex.decode("txid", hex);
    reverse(b);
    return fromInternal(b);
  }

  public byte[] internalBytes() {
    return internal.clone();
  }

  public String toDisplayHex() {
    byte[] b = internal.clone();
    reverse(b);
    return Hex.encode(b);
  }

  private static void reverse(byte[] b) {
    for (int i = 0, j = b.length - 1; i < j; i++, j--) {
      byte t = b[i];
      b[i] = b[j];
      b[j] = t;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Txid other && Arrays.equals(internal, other.internal);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(internal);
  }

  @Override
  public String toString() {
    return toDisplayHex();
  }
}
