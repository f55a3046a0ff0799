package dev.keep.enclave.psbt;

import dev.keep.enclave.bitcoin.tx.ByteReader;
import dev.keep.enclave.bitcoin.tx.OutPoint;
import dev.keep.enclave.bitcoin.tx.TxOut;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The envelope of a PSBT (BIP-174 §Specification: {@code <psbt> := <magic> <global-map>
 * <input-map>* <output-map>*}) and its text form (§Encoding: base64). Reads untrusted bytes: every
 * failure is a {@link PsbtException}, and nothing is allocated beyond what the input holds.
 */
final class PsbtParser {
  /** "psbt" followed by 0xff. */
  static final byte[] MAGIC = {0x70, 0x73, 0x62, 0x74, (byte) 0xff};

  /**
   * Consensus caps a block at 4,000,000 weight units, so a transaction has at most 1,000,000 bytes
   * without witnesses, of which an input takes at least 41 and an output at least 9. More maps than
   * that cannot describe a valid transaction, and are refused before they are built.
   */
  static final int MAX_INPUTS = 1_000_000 / 41;

  static final int MAX_OUTPUTS = 1_000_000 / 9;

  private PsbtParser() {}

  static Psbt parse(byte[] bytes, int maxBytes) throws PsbtException {
    if (bytes == null) {
      throw new IllegalArgumentException("bytes are required");
    }
    if (bytes.length > maxBytes) {
      throw new PsbtException(
          PsbtLocation.ENVELOPE, "size", bytes.length + " bytes exceed the limit of " + maxBytes);
    }
    if (!startsWithMagic(bytes)) {
      throw new PsbtException(
          PsbtLocation.ENVELOPE, "magic", "must start with 0x70736274ff (\"psbt\" and 0xff)");
    }
    ByteReader r = new ByteReader(bytes, MAGIC.length, bytes.length - MAGIC.length);
    PsbtMap.Budget budget = new PsbtMap.Budget(PsbtMap.MAX_ENTRIES);
    PsbtMap globalMap = PsbtMap.read(r, PsbtLocation.GLOBAL, GlobalType::fieldName, budget);
    PsbtGlobals globals = PsbtGlobals.decode(globalMap);
    int inputCount = count(globals, true, r);
    int outputCount = count(globals, false, r);
    List<PsbtInput> inputs = new ArrayList<>();
    for (int i = 0; i < inputCount; i++) {
      PsbtLocation where = PsbtLocation.input(i);
      requireMap(r, where, inputCount, i, "input");
      inputs.add(input(globals, PsbtMap.read(r, where, InputType::fieldName, budget), i));
    }
    List<PsbtOutput> outputs = new ArrayList<>();
    for (int o = 0; o < outputCount; o++) {
      PsbtLocation where = PsbtLocation.output(o);
      requireMap(r, where, outputCount, o, "output");
      outputs.add(output(globals, PsbtMap.read(r, where, OutputType::fieldName, budget), o));
    }
    if (!r.atEnd()) {
      throw new PsbtException(
          PsbtLocation.ENVELOPE,
          "end",
          r.remaining() + " unexpected bytes after the last output map");
    }
    return new Psbt(globals, inputs, outputs);
  }

  /**
   * The number of maps to read. Each takes at least its one-byte separator, so a count above the
   * bytes left is refused here rather than discovered map by map.
   */
  private static int count(PsbtGlobals g, boolean inputs, ByteReader r) throws PsbtException {
    long declared = inputs ? g.inputCount() : g.outputCount();
    int max = inputs ? MAX_INPUTS : MAX_OUTPUTS;
    String what = inputs ? "inputs" : "outputs";
    GlobalType field =
        g.version() == 0
            ? GlobalType.UNSIGNED_TX
            : inputs ? GlobalType.INPUT_COUNT : GlobalType.OUTPUT_COUNT;
    if (declared > max) {
      throw new PsbtException(
          PsbtLocation.GLOBAL,
          field.bipName(),
          declared + " " + what + " is more than a transaction can have (" + max + ")");
    }
    if (declared > r.remaining()) {
      throw new PsbtException(
          PsbtLocation.GLOBAL,
          field.bipName(),
          "PSBT missing "
              + what
              + ": "
              + declared
              + " declared but only "
              + r.remaining()
              + " bytes follow the global map");
    }
    return (int) declared;
  }

  private static void requireMap(
      ByteReader r, PsbtLocation where, int count, int index, String what) throws PsbtException {
    if (r.atEnd()) {
      throw new PsbtException(
          where,
          "map",
          "PSBT missing " + what + "s: " + count + " declared, the PSBT ends after " + index);
    }
  }

  /** Decodes input map {@code i} in the context the global map gives it. */
  static PsbtInput input(PsbtGlobals g, PsbtMap map, int i) throws PsbtException {
    OutPoint txPrevout = g.unsignedTx().map(tx -> tx.inputs().get(i).prevout()).orElse(null);
    return InputMapDecoder.decode(map, PsbtLocation.input(i), g.version(), txPrevout);
  }

  static PsbtOutput output(PsbtGlobals g, PsbtMap map, int o) throws PsbtException {
    TxOut txOutput = g.unsignedTx().map(tx -> tx.outputs().get(o)).orElse(null);
    return OutputMapDecoder.decode(map, PsbtLocation.output(o), g.version(), txOutput);
  }

  /** Maps built by code rather than read: the same checks as {@link #parse}. */
  static Psbt fromMaps(PsbtMap globalMap, List<PsbtMap> inputMaps, List<PsbtMap> outputMaps)
      throws PsbtException {
    PsbtGlobals g = PsbtGlobals.decode(globalMap);
    if (g.inputCount() != inputMaps.size() || g.outputCount() != outputMaps.size()) {
      throw new PsbtException(
          PsbtLocation.GLOBAL, "counts", "the maps do not match the declared counts");
    }
    List<PsbtInput> inputs = new ArrayList<>();
    for (int i = 0; i < inputMaps.size(); i++) {
      inputs.add(input(g, inputMaps.get(i), i));
    }
    List<PsbtOutput> outputs = new ArrayList<>();
    for (int o = 0; o < outputMaps.size(); o++) {
      outputs.add(output(g, outputMaps.get(o), o));
    }
    return new Psbt(g, inputs, outputs);
  }

  static boolean startsWithMagic(byte[] bytes) {
    return bytes.length >= MAGIC.length
        && Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
  }

  /**
   * BIP-174 §Encoding: "the PSBT must be encoded using base64" (RFC 4648 §4, the standard alphabet
   * with padding). Strict: after trimming surrounding whitespace the text must be the canonical
   * encoding of its bytes, so padding is required and unused bits must be zero.
   */
  static Psbt decodeBase64(String text, int maxBytes) throws PsbtException {
    if (text == null) {
      throw new IllegalArgumentException("text is required");
    }
    String trimmed = text.strip();
    long maxChars = 4L * ((maxBytes + 2L) / 3);
    if (trimmed.length() > maxChars) {
      throw new PsbtException(
          PsbtLocation.ENVELOPE,
          "size",
          trimmed.length() + " base64 characters exceed the limit of " + maxBytes + " bytes");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(trimmed);
    } catch (IllegalArgumentException e) {
      throw new PsbtException(
          PsbtLocation.ENVELOPE, "base64", "not valid base64: " + e.getMessage());
    }
    if (!Base64.getEncoder().encodeToString(bytes).equals(trimmed)) {
      throw new PsbtException(
          PsbtLocation.ENVELOPE,
          "base64",
          "not canonical base64 (padding missing or unused bits set)");
    }
    return parse(bytes, maxBytes);
  }

  /** A .psbt file: the binary form when it starts with the magic, else base64 text. */
  static Psbt decodeFile(byte[] content, int maxBytes) throws PsbtException {
    if (content == null) {
      throw new IllegalArgumentException("content is required");
    }
    if (startsWithMagic(content)) {
      return parse(content, maxBytes);
    }
    if (content.length > 4L * ((maxBytes + 2L) / 3) + 1024) {
      throw new PsbtException(
          PsbtLocation.ENVELOPE,
          "size",
          content.length + " bytes of text exceed the limit of " + maxBytes + " bytes");
    }
    for (byte b : content) {
      if (b < 0) {
        throw new PsbtException(
            PsbtLocation.ENVELOPE,
            "base64",
            "a file without the binary magic must be ASCII base64 text");
      }
    }
    return decodeBase64(new String(content, StandardCharsets.US_ASCII), maxBytes);
  }
}
