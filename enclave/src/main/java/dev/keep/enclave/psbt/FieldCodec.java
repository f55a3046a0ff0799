package dev.keep.enclave.psbt;

import dev.keep.enclave.bitcoin.tx.ByteReader;
import dev.keep.enclave.bitcoin.tx.ByteWriter;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxFormatException;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.enclave.keys.hd.DerivationPath;
import dev.keep.enclave.keys.hd.Fingerprint;
import fr.acinq.secp256k1.Secp256k1;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The value and key-data encodings that BIP-174 fields share (fixed-size integers, transactions,
 * scripts, keys, signatures, key origins, witness stacks), each read strictly: the bytes must hold
 * exactly one value. Every failure is a {@link PsbtException} naming the map and the field.
 */
final class FieldCodec {
  static final int UNCOMPRESSED_KEY_LENGTH = 65;

  private FieldCodec() {}

  static void requireNoKeyData(PsbtEntry e, PsbtLocation where, String field) throws PsbtException {
    if (e.keyDataLength() != 0) {
      throw new PsbtException(
          where,
          field,
          "key must be the keytype alone, but has " + e.keyDataLength() + " bytes of key data");
    }
  }

  static void requireKeyDataLength(
      PsbtEntry e, int length, String what, PsbtLocation where, String field) throws PsbtException {
    if (e.keyDataLength() != length) {
      throw new PsbtException(
          where,
          field,
          "key data must be " + what + " (" + length + " bytes), got " + e.keyDataLength());
    }
  }

  static byte[] exact(byte[] value, int length, String what, PsbtLocation where, String field)
      throws PsbtException {
    if (value.length != length) {
      throw new PsbtException(
          where, field, "value must be " + what + " (" + length + " bytes), got " + value.length);
    }
    return value;
  }

  static int uint8(byte[] value, PsbtLocation where, String field) throws PsbtException {
    return exact(value, 1, "an 8-bit unsigned integer", where, field)[0] & 0xff;
  }

  static long uint32(byte[] value, PsbtLocation where, String field) throws PsbtException {
    exact(value, 4, "a 32-bit little-endian unsigned integer", where, field);
    return readAll(value, where, field, r -> r.readU32(field));
  }

  static int int32(byte[] value, PsbtLocation where, String field) throws PsbtException {
    exact(value, 4, "a 32-bit little-endian signed integer", where, field);
    return readAll(value, where, field, r -> r.readI32(field));
  }

  static long int64(byte[] value, PsbtLocation where, String field) throws PsbtException {
    exact(value, 8, "a 64-bit little-endian signed integer", where, field);
    return readAll(value, where, field, r -> r.readI64(field));
  }

  /** A CompactSize that is the whole value, minimally encoded. */
  static long compactSize(byte[] value, PsbtLocation where, String field) throws PsbtException {
    return readAll(value, where, field, r -> r.readCompactSize("compact size"));
  }

  static Transaction transaction(
      byte[] value, boolean allowWitness, PsbtLocation where, String field) throws PsbtException {
    try {
      return Transaction.parse(value, allowWitness);
    } catch (TxFormatException e) {
      throw new PsbtException(where, field, "not a valid transaction: " + e.getMessage());
    }
  }

  static TxOut txOut(byte[] value, PsbtLocation where, String field) throws PsbtException {
    try {
      return TxOut.parse(value, "output");
    } catch (TxFormatException e) {
      throw new PsbtException(
          where,
          field,
          "value is "
              + value.length
              + " bytes but must hold exactly one output: "
              + e.getMessage());
    }
  }

  /** BIP-141 §Witness serialization: a CompactSize item count, then each item length-prefixed. */
  static List<byte[]> witnessStack(byte[] value, PsbtLocation where, String field)
      throws PsbtException {
    return readAll(
        value,
        where,
        field,
        r -> {
          int count = r.readCount("witness item count", 1);
          List<byte[]> items = new ArrayList<>(count);
          for (int i = 0; i < count; i++) {
            items.add(r.readVarBytes("witness item " + i));
          }
          return items;
        });
  }

  static byte[] witnessStackBytes(List<byte[]> items) {
    ByteWriter w = new ByteWriter();
    w.compactSize(items.size());
    for (byte[] item : items) {
      w.varBytes(item);
    }
    return w.toByteArray();
  }

  /**
   * Why {@code key} is not a public key BIP-174 allows in key data, or null: 33 bytes compressed or
   * 65 bytes uncompressed (0x04), on the curve either way.
   */
  static String publicKeyProblem(byte[] key) {
    if (key.length == PublicKey.LENGTH) {
      return PublicKey.problemWith(key);
    }
    if (key.length != UNCOMPRESSED_KEY_LENGTH) {
      return "must be 33 (compressed) or 65 (uncompressed) bytes, got " + key.length;
    }
    if (key[0] != 0x04) {
      return String.format("a 65-byte key must start with 0x04, found 0x%02x", key[0]);
    }
    try {
      Secp256k1.get().pubkeyParse(key);
      return null;
    } catch (RuntimeException e) {
      return "is not a point on secp256k1";
    }
  }

  static void requirePublicKey(byte[] key, PsbtLocation where, String field) throws PsbtException {
    String problem = publicKeyProblem(key);
    if (problem != null) {
      throw new PsbtException(where, field, "key data public key " + problem);
    }
  }

  /**
   * A BIP-340 x-only key: 32 bytes that are the X coordinate of a point on the curve (BIP-340
   * §Public Key Conversion, lift_x, fails otherwise, so no signature could ever verify for it).
   *
   * @param what "key data" or "value", for the message
   */
  static XOnlyPublicKey xOnlyKey(byte[] bytes, String what, PsbtLocation where, String field)
      throws PsbtException {
    if (bytes.length != XOnlyPublicKey.LENGTH) {
      throw new PsbtException(
          where, field, what + " must be an x-only public key (32 bytes), got " + bytes.length);
    }
    byte[] even = new byte[PublicKey.LENGTH];
    even[0] = 0x02;
    System.arraycopy(bytes, 0, even, 1, XOnlyPublicKey.LENGTH);
    if (PublicKey.problemWith(even) != null) {
      throw new PsbtException(
          where, field, what + " x-only key is not the X coordinate of a point on secp256k1");
    }
    return XOnlyPublicKey.of(bytes);
  }

  /**
   * BIP-66 §DER encoding: why {@code sig} (a DER signature followed by one sighash byte) is not
   * strictly encoded, or null. Layout: 0x30 len 0x02 lenR R 0x02 lenS S sighash.
   */
  static String derSignatureProblem(byte[] sig) {
    int n = sig.length;
    if (n < 9 || n > 73) {
      return "is " + n + " bytes, but a DER signature and its sighash byte take 9 to 73";
    }
    if ((sig[0] & 0xff) != 0x30) {
      return "must start with the DER sequence tag 0x30";
    }
    if ((sig[1] & 0xff) != n - 3) {
      return "DER sequence length does not cover the signature";
    }
    int lenR = sig[3] & 0xff;
    if (5 + lenR >= n) {
      return "R length runs past the signature";
    }
    int lenS = sig[5 + lenR] & 0xff;
    if (lenR + lenS + 7 != n) {
      return "R and S lengths do not add up to the signature length";
    }
    String r = integerProblem(sig, 2, lenR, "R");
    return r != null ? r : integerProblem(sig, 4 + lenR, lenS, "S");
  }

  /** One DER INTEGER at {@code tag}: 0x02, non-empty, not negative, no superfluous zero byte. */
  private static String integerProblem(byte[] sig, int tag, int length, String name) {
    if (sig[tag] != 0x02) {
      return name + " must be a DER integer (tag 0x02)";
    }
    if (length == 0) {
      return name + " is empty";
    }
    int first = tag + 2;
    if ((sig[first] & 0x80) != 0) {
      return name + " is negative";
    }
    if (length > 1 && sig[first] == 0 && (sig[first + 1] & 0x80) == 0) {
      return name + " has a superfluous leading zero";
    }
    return null;
  }

  /**
   * BIP-341 §Common signature message: a signature is 64 bytes (SIGHASH_DEFAULT) or 65 with an
   * explicit hash type, which must not be 0x00 ("hash_type 0x00 ... must be 64 bytes").
   */
  static String schnorrSignatureProblem(byte[] sig) {
    if (sig.length != 64 && sig.length != 65) {
      return "is "
          + sig.length
          + " bytes, but a BIP-340 signature is 64, or 65 with a sighash byte";
    }
    if (sig.length == 65 && sig[64] == 0x00) {
      return "is 65 bytes with sighash 0x00, which BIP-341 requires in the 64-byte form";
    }
    return null;
  }

  /**
   * BIP-174 key origin: 4 fingerprint bytes then 32-bit little-endian child numbers, from {@code
   * offset} to the end of {@code value}.
   */
  static KeyOrigin keyOrigin(byte[] value, int offset, PsbtLocation where, String field)
      throws PsbtException {
    int length = value.length - offset;
    if (length < 4 || length % 4 != 0) {
      throw new PsbtException(
          where,
          field,
          "key origin is "
              + length
              + " bytes, but must be a 4-byte fingerprint and 4 bytes per path step");
    }
    int depth = length / 4 - 1;
    if (depth > DerivationPath.MAX_DEPTH) {
      throw new PsbtException(
          where,
          field,
          "derivation path has "
              + depth
              + " steps, more than BIP-32's "
              + DerivationPath.MAX_DEPTH);
    }
    ByteBuffer b = ByteBuffer.wrap(value, offset, length);
    Fingerprint fingerprint = new Fingerprint(b.getInt());
    b.order(java.nio.ByteOrder.LITTLE_ENDIAN);
    List<Integer> steps = new ArrayList<>(depth);
    for (int i = 0; i < depth; i++) {
      steps.add(b.getInt());
    }
    return new KeyOrigin(fingerprint, DerivationPath.of(steps));
  }

  /**
   * BIP-174 §Proprietary Use Type: key data is {@code <compact size identifier length> <identifier>
   * <compact size subtype> <subkeydata>}.
   */
  static void requireProprietaryKey(PsbtEntry e, PsbtLocation where, String field)
      throws PsbtException {
    readAll(
        e.keyData(),
        where,
        field,
        r -> {
          r.readVarBytes("proprietary identifier");
          r.readCompactSize("proprietary subtype");
          r.readBytes(r.remaining(), "proprietary key data");
          return null;
        });
  }

  static byte[] uint32Bytes(long v) {
    if (v < 0 || v > 0xffffffffL) {
      throw new IllegalArgumentException("must be a uint32, got " + v);
    }
    return new ByteWriter(4).u32(v).toByteArray();
  }

  static byte[] int64Bytes(long v) {
    return new ByteWriter(8).i64(v).toByteArray();
  }

  static byte[] compactSizeBytes(long v) {
    return new ByteWriter(9).compactSize(v).toByteArray();
  }

  /** A read of a {@link ByteReader} over {@code value} that must consume all of it. */
  interface Read<T> {
    T from(ByteReader r) throws TxFormatException;
  }

  static <T> T readAll(byte[] value, PsbtLocation where, String field, Read<T> read)
      throws PsbtException {
    ByteReader r = new ByteReader(value);
    T result;
    try {
      result = read.from(r);
    } catch (TxFormatException e) {
      throw new PsbtException(where, field, e.getMessage());
    }
    if (!r.atEnd()) {
      throw new PsbtException(where, field, r.remaining() + " unexpected bytes after the value");
    }
    return result;
  }
}
