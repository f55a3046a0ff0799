package dev.keep.enclave.attestation;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal CBOR writer (RFC 8949 §3) for the documents the local NSM signs: unsigned and
 * negative integers, byte and text strings, definite-length arrays and maps, and null. Every head
 * uses the shortest form (RFC 8949 §4.2.1, preferred serialisation), as the Nitro NSM writes.
 */
final class Cbor {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  Cbor unsigned(long value) {
    return head(0, value);
  }

  /** A signed integer: major type 0 when non-negative, else major type 1 with -1 - value. */
  Cbor integer(long value) {
    return value >= 0 ? head(0, value) : head(1, -1 - value);
  }

  Cbor bytes(byte[] value) {
    head(2, value.length);
    out.writeBytes(value);
    return this;
  }

  Cbor text(String value) {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    head(3, utf8.length);
    out.writeBytes(utf8);
    return this;
  }

  Cbor array(int size) {
    return head(4, size);
  }

  Cbor map(int size) {
    return head(5, size);
  }

  /** CBOR null (major type 7, simple value 22). */
  Cbor nil() {
    out.write(0xf6);
    return this;
  }

  /** Bytes (or null) as CBOR: a byte string, or null. */
  Cbor optionalBytes(byte[] value) {
    return value == null ? nil() : bytes(value);
  }

  byte[] toByteArray() {
    return out.toByteArray();
  }

  private Cbor head(int major, long argument) {
    int type = major << 5;
    if (argument < 24) {
      out.write(type | (int) argument);
    } else if (argument < 0x100) {
      out.write(type | 24);
      out.write((int) argument);
    } else if (argument < 0x10000) {
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

  private void writeBigEndian(long value, int bytes) {
    for (int i = bytes - 1; i >= 0; i--) {
      out.write((int) (value >>> (8 * i)) & 0xff);
    }
  }
}
