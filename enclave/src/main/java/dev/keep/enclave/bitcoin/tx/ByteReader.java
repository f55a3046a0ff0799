package dev.keep.enclave.bitcoin.tx;

import java.util.Arrays;

/**
 * Reads Bitcoin's little-endian wire encodings from a byte array, checking every length against
 * what is left before allocating. It never reads past its end and never allocates more than the
 * input holds, which is what lets the PSBT parser take arbitrary bytes.
 */
public final class ByteReader {
  private final byte[] data;
  private final int end;
  private int position;

  public ByteReader(byte[] data) {
    this(data, 0, data.length);
  }

  public ByteReader(byte[] data, int offset, int length) {
    if (offset < 0 || length < 0 || offset + length > data.length) {
      throw new IllegalArgumentException("slice outside the array");
    }
    this.data = data;
    this.position = offset;
    this.end = offset + length;
  }

  public int remaining() {
    return end - position;
  }

  public boolean atEnd() {
    return position == end;
  }

  public int position() {
    return position;
  }

  public int peek(String field) throws TxFormatException {
    need(1, field);
    return data[position] & 0xff;
  }

  public int readU8(String field) throws TxFormatException {
    need(1, field);
    return data[position++] & 0xff;
  }

  public long readU32(String field) throws TxFormatException {
    need(4, field);
    long v =
        (data[position] & 0xffL)
            | (data[position + 1] & 0xffL) << 8
            | (data[position + 2] & 0xffL) << 16
            | (data[position + 3] & 0xffL) << 24;
    position += 4;
    return v;
  }

  public int readI32(String field) throws TxFormatException {
    return (int) readU32(field);
  }

  public long readI64(String field) throws TxFormatException {
    need(8, field);
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (data[position + i] & 0xffL);
    }
    position += 8;
    return v;
  }

  /**
   * A CompactSize unsigned integer. Non-minimal encodings are refused, as Bitcoin Core's
   * ReadCompactSize does, so that every value has exactly one encoding and round trips are exact.
   */
  public long readCompactSize(String field) throws TxFormatException {
    int first = readU8(field);
    long value;
    long minimum;
    if (first < 0xfd) {
      return first;
    } else if (first == 0xfd) {
      need(2, field);
      value = (data[position] & 0xffL) | (data[position + 1] & 0xffL) << 8;
      position += 2;
      minimum = 0xfd;
    } else if (first == 0xfe) {
      value = readU32(field);
      minimum = 0x10000;
    } else {
      value = readI64(field);
      minimum = 0x100000000L;
      if (value < 0) {
        throw new TxFormatException(field + ": compact size above 2^63");
      }
    }
    if (value < minimum) {
      throw new TxFormatException(field + ": compact size " + value + " is not minimally encoded");
    }
    return value;
  }

  /** A count of items that each take at least {@code minItemBytes}; bounded by what is left. */
  public int readCount(String field, int minItemBytes) throws TxFormatException {
    long count = readCompactSize(field);
    // Divide rather than multiply: count can be near 2^63, and count * minItemBytes would overflow.
    if (count > remaining() / Math.max(1, minItemBytes)) {
      throw new TxFormatException(
          field + ": count " + count + " cannot fit in the " + remaining() + " bytes left");
    }
    return (int) count;
  }

  /** A CompactSize length followed by that many bytes. */
  public byte[] readVarBytes(String field) throws TxFormatException {
    long length = readCompactSize(field);
    if (length > remaining()) {
      throw new TxFormatException(
          field + ": length " + length + " exceeds the " + remaining() + " bytes left");
    }
    return readBytes((int) length, field);
  }

  public byte[] readBytes(int length, String field) throws TxFormatException {
    need(length, field);
    byte[] out = Arrays.copyOfRange(data, position, position + length);
    position += length;
    return out;
  }

  private void need(int n, String field) throws TxFormatException {
    if (n > end - position) {
      throw new TxFormatException(
          field + ": needs " + n + " bytes but only " + (end - position) + " are left");
    }
  }
}
