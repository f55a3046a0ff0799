package dev.keep.schema.attestation;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes CBOR items in preferred serialisation (RFC 8949 §4.1: every head as short as it can
 * be), as the Nitro NSM writes. The verifier needs it for the COSE Sig_structure; the enclave's
 * software NSM writes its documents with it, and tests build documents with it.
 */
public final class CborWriter {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  public CborWriter unsigned(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("negative: " + value);
    }
    return head(0, value);
  }

  public CborWriter integer(long value) {
    return value >= 0 ? head(0, value) : head(1, -1 - value);
  }

  public CborWriter bytes(byte[] value) {
    head(2, value.length);
    out.writeBytes(value);
    return this;
  }

  public CborWriter text(String value) {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    head(3, utf8.length);
    out.writeBytes(utf8);
    return this;
  }

  public CborWriter array(int count) {
    return head(4, count);
  }

  public CborWriter map(int count) {
    return head(5, count);
  }

  public CborWriter tag(long tag) {
    return head(6, tag);
  }

  public CborWriter nil() {
    out.write(0xf6);
    return this;
  }

  /** A byte string, or null (major type 7, simple value 22) when {@code value} is null. */
  public CborWriter optionalBytes(byte[] value) {
    return value == null ? nil() : bytes(value);
  }

  /** Appends bytes that are already CBOR. */
  public CborWriter raw(byte[] encoded) {
    out.writeBytes(encoded);
    return this;
  }

  public byte[] toByteArray() {
    return out.toByteArray();
  }

  private CborWriter head(int major, long argument) {
    int type = major << 5;
    if (argument < 24) {
      out.write(type | (int) argument);
    } else if (argument < 0x100) {
      out.write(type | 24);
      out.write((int) argument);
    } else if (argument < 0x1_0000) {
      out.write(type | 25);
      writeBigEndian(argument, 2);
    } else if (argument < 0x1_0000_0000L) {
      out.write(type | 26);
      writeBigEndian(argument, 4);
    } else {
      out.write(type | 27);
      writeBigEndian(argument, 8);
    }
    return this;
  }

  private void writeBigEndian(long value, int n) {
    for (int i = n - 1; i >= 0; i--) {
      out.write((int) (value >>> (8 * i)) & 0xff);
    }
  }
}
