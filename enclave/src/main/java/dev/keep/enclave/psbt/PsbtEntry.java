package dev.keep.enclave.psbt;

import dev.keep.enclave.bitcoin.tx.ByteWriter;
import dev.keep.schema.encoding.Hex;
import java.util.Arrays;

/**
 * One key-value pair of a PSBT map as it is on the wire (BIP-174 §Specification: {@code <key> :=
 * <keytype> <keydata>}). Two entries are the same key when keytype and keydata are equal; since
 * keytypes must be minimal CompactSizes, that is the same as equal key bytes.
 */
final class PsbtEntry {
  private static final byte[] NONE = new byte[0];

  private final long type;
  private final byte[] keyData;
  private final byte[] value;

  PsbtEntry(long type, byte[] keyData, byte[] value) {
    if (type < 0) {
      throw new IllegalArgumentException("keytype must be below 2^63");
    }
    this.type = type;
    this.keyData = keyData.length == 0 ? NONE : keyData.clone();
    this.value = value.clone();
  }

  long type() {
    return type;
  }

  byte[] keyData() {
    return keyData.clone();
  }

  int keyDataLength() {
    return keyData.length;
  }

  byte[] value() {
    return value.clone();
  }

  boolean sameKey(PsbtEntry other) {
    return type == other.type && Arrays.equals(keyData, other.keyData);
  }

  void write(ByteWriter w) {
    w.compactSize(ByteWriter.compactSizeLength(type) + keyData.length);
    w.compactSize(type).bytes(keyData);
    w.varBytes(value);
  }

  /** The key for messages: short key data in hex, long key data by its length. */
  String describeKey() {
    if (keyData.length == 0) {
      return "with no key data";
    }
    return keyData.length <= 40
        ? "with key data " + Hex.encode(keyData)
        : "with " + keyData.length + " bytes of key data";
  }

  /** Key identity only: keytype and keydata. */
  @Override
  public boolean equals(Object o) {
    return o instanceof PsbtEntry other && sameKey(other);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(type) * 31 + Arrays.hashCode(keyData);
  }
}
