package dev.keep.enclave.bitcoin.tx;

import java.io.ByteArrayOutputStream;

/** Writes Bitcoin's little-endian wire encodings. The inverse of {@link ByteReader}. */
public final class ByteWriter {
  private final ByteArrayOutputStream out;

  public ByteWriter() {
    this(256);
  }

  public ByteWriter(int initialCapacity) {
    this.out = new ByteArrayOutputStream(initialCapacity);
  }

  public ByteWriter u8(int v) {
    out.write(v);
    return this;
  }

  public ByteWriter u32(long v) {
    out.write((int) v);
    out.write((int) (v >>> 8));
    out.write((int) (v >>> 16));
    out.write((int) (v >>> 24));
    return this;
  }

  public ByteWriter i64(long v) {
    for (int i = 0; i < 8; i++) {
      out.write((int) (v >>> (8 * i)));
    }
    return this;
  }

  /** CompactSize in its minimal form. */
  public ByteWriter compactSize(long v) {
    if (v < 0xfd) {
      out.write((int) v);
    } else if (v <= 0xffff) {
      out.write(0xfd);
      out.write((int) v);
      out.write((int) (v >>> 8));
    } else if (v <= 0xffffffffL) {
      out.write(0xfe);
      u32(v);
    } else {
      out.write(0xff);
      i64(v);
    }
    return this;
  }

  public ByteWriter varBytes(byte[] bytes) {
    compactSize(bytes.length);
    out.writeBytes(bytes);
    return this;
  }

  public ByteWriter bytes(byte[] bytes) {
    out.writeBytes(bytes);
    return this;
  }

  public int size() {
    return out.size();
  }

  public byte[] toByteArray() {
    return out.toByteArray();
  }

  /** The encoded size of a CompactSize, for weight estimates. */
  public static int compactSizeLength(long v) {
    return v < 0xfd ? 1 : v <= 0xffff ? 3 : v <= 0xffffffffL ? 5 : 9;
  }
}
