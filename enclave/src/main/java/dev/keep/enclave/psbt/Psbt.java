package dev.keep.enclave.psbt;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.tx.ByteWriter;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxIn;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.XOnlyPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;

/**
 * A Partially Signed Bitcoin Transaction, version 0 (BIP-174) or 2 (BIP-370), with the taproot
 * fields of BIP-371.
 *
 * <p>Parsing is strict and total: any byte string either parses or throws {@link PsbtException}
 * naming the map, the field and the rule. A parsed PSBT keeps every entry in its original order,
 * unknown and proprietary ones included, so {@link #serialize} returns the input bytes exactly.
 *
 * <p>Mutation: the setters change this object in place, and a new entry goes at the end of its map
 * (an entry with the same key is replaced where it stands). Each mutation re-validates the changed
 * map with the parser's own checks and throws {@link IllegalArgumentException} without changing
 * anything if the result would not parse, so {@link #serialize} always yields a valid PSBT. Not
 * thread-safe; the {@link PsbtInput} and {@link PsbtOutput} views are immutable snapshots.
 */
public final class Psbt {
  public static final int DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

  private PsbtGlobals globals;
  private final List<PsbtInput> inputs;
  private final List<PsbtOutput> outputs;

  Psbt(PsbtGlobals globals, List<PsbtInput> inputs, List<PsbtOutput> outputs) {
    this.globals = globals;
    this.inputs = new ArrayList<>(inputs);
    this.outputs = new ArrayList<>(outputs);
  }

  /** Parses the binary form, at most {@link #DEFAULT_MAX_BYTES} long. */
  public static Psbt parse(byte[] bytes) throws PsbtException {
    return parse(bytes, DEFAULT_MAX_BYTES);
  }

  /** Parses the binary form; the size limit is checked before anything else. */
  public static Psbt parse(byte[] bytes, int maxBytes) throws PsbtException {
    return PsbtParser.parse(bytes, maxBytes);
  }

  /** Parses strict base64 (BIP-174 §Encoding); whitespace around it is ignored. */
  public static Psbt decodeBase64(String base64) throws PsbtException {
    return PsbtParser.decodeBase64(base64, DEFAULT_MAX_BYTES);
  }

  /** Parses strict base64 of at most {@code maxBytes} decoded bytes. */
  public static Psbt decodeBase64(String base64, int maxBytes) throws PsbtException {
    return PsbtParser.decodeBase64(base64, maxBytes);
  }

  /** As {@link #decodeFile(byte[])}, with a limit on the decoded size. */
  public static Psbt decodeFile(byte[] fileContent, int maxBytes) throws PsbtException {
    return PsbtParser.decodeFile(fileContent, maxBytes);
  }

  /**
   * The content of a PSBT file: binary if it starts with the magic {@code 70736274ff}, else base64.
   */
  public static Psbt decodeFile(byte[] fileContent) throws PsbtException {
    return PsbtParser.decodeFile(fileContent, DEFAULT_MAX_BYTES);
  }

  /**
   * BIP-174 §Creator: a version 0 PSBT around {@code unsignedTx}, with empty input and output maps.
   *
   * @throws IllegalArgumentException if an input has a scriptSig or a witness
   */
  public static Psbt createV0(Transaction unsignedTx) {
    for (int i = 0; i < unsignedTx.inputs().size(); i++) {
      TxIn in = unsignedTx.inputs().get(i);
      if (!in.scriptSig().isEmpty() || !in.witness().isEmpty()) {
        throw new IllegalArgumentException(
            "input " + i + " of an unsigned transaction must have no scriptSig or witness");
      }
    }
    PsbtMap global =
        PsbtMap.of(
            List.of(entry(GlobalType.UNSIGNED_TX.code(), unsignedTx.serializeWithoutWitness())));
    return build(global, repeat(unsignedTx.inputs().size()), repeat(unsignedTx.outputs().size()));
  }

  /**
   * BIP-370 §Creator and §Constructor in one step: a version 2 PSBT with the given transaction
   * version, fallback lock time, inputs (PSBT_IN_SEQUENCE written only when not 0xffffffff) and
   * outputs. BIP-370 asks for a transaction version of at least 2 when others will add inputs or
   * outputs.
   *
   * @throws IllegalArgumentException if an input has a scriptSig or a witness
   */
  public static Psbt createV2(
      int txVersion, long fallbackLockTime, List<TxIn> inputs, List<TxOut> outputs) {
    PsbtMap global =
        PsbtMap.of(
            List.of(
                entry(
                    GlobalType.TX_VERSION.code(), FieldCodec.uint32Bytes(txVersion & 0xffffffffL)),
                entry(
                    GlobalType.FALLBACK_LOCKTIME.code(), FieldCodec.uint32Bytes(fallbackLockTime)),
                entry(GlobalType.INPUT_COUNT.code(), FieldCodec.compactSizeBytes(inputs.size())),
                entry(GlobalType.OUTPUT_COUNT.code(), FieldCodec.compactSizeBytes(outputs.size())),
                entry(GlobalType.VERSION.code(), FieldCodec.uint32Bytes(2))));
    List<PsbtMap> inputMaps = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      TxIn in = inputs.get(i);
      if (!in.scriptSig().isEmpty() || !in.witness().isEmpty()) {
        throw new IllegalArgumentException("input " + i + " must have no scriptSig or witness");
      }
      List<PsbtEntry> entries = new ArrayList<>();
      entries.add(entry(InputType.PREVIOUS_TXID.code(), in.prevout().txid().internalBytes()));
      entries.add(
          entry(InputType.OUTPUT_INDEX.code(), FieldCodec.uint32Bytes(in.prevout().index())));
      if (in.sequence() != TxIn.SEQUENCE_FINAL) {
        entries.add(entry(InputType.SEQUENCE.code(), FieldCodec.uint32Bytes(in.sequence())));
      }
      inputMaps.add(PsbtMap.of(entries));
    }
    List<PsbtMap> outputMaps = new ArrayList<>();
    for (TxOut out : outputs) {
      outputMaps.add(
          PsbtMap.of(
              List.of(
                  entry(OutputType.AMOUNT.code(), FieldCodec.int64Bytes(out.amount())),
                  entry(OutputType.SCRIPT.code(), out.scriptPubKey().bytes()))));
    }
    return build(global, inputMaps, outputMaps);
  }

  private static Psbt build(PsbtMap global, List<PsbtMap> inputMaps, List<PsbtMap> outputMaps) {
    try {
      return PsbtParser.fromMaps(global, inputMaps, outputMaps);
    } catch (PsbtException e) {
      throw new IllegalArgumentException("not a valid PSBT: " + e.getMessage(), e);
    }
  }

  private static List<PsbtMap> repeat(int n) {
    return java.util.Collections.nCopies(n, PsbtMap.EMPTY);
  }

  private static PsbtEntry entry(long type, byte[] value) {
    return new PsbtEntry(type, new byte[0], value);
  }

  /** 0 (BIP-174) or 2 (BIP-370). */
  public int version() {
    return globals.version();
  }

  /** BIP-174 §Specification: the magic, the global map, then the input and output maps. */
  public byte[] serialize() {
    ByteWriter w = new ByteWriter(1024);
    w.bytes(PsbtParser.MAGIC);
    globals.map().write(w);
    for (PsbtInput in : inputs) {
      in.map().write(w);
    }
    for (PsbtOutput out : outputs) {
      out.map().write(w);
    }
    return w.toByteArray();
  }

  /** BIP-174 §Encoding: base64 of {@link #serialize}. */
  public String toBase64() {
    return Base64.getEncoder().encodeToString(serialize());
  }

  /**
   * The transaction being signed, without signatures. Version 0: PSBT_GLOBAL_UNSIGNED_TX. Version 2
   * (BIP-370 §Transaction Extractor): PSBT_GLOBAL_TX_VERSION, each input's outpoint and sequence
   * (0xffffffff when absent), each output's amount and script, and the computed lock time.
   *
   * @throws IllegalStateException if the lock time cannot be computed (see {@link
   *     #computedLockTime})
   */
  public Transaction unsignedTx() {
    if (globals.unsignedTx().isPresent()) {
      return globals.unsignedTx().get();
    }
    long lockTime =
        computedLockTime()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "BIP-370: the lock time cannot be computed: the inputs' required lock times"
                            + " share no type"));
    List<TxIn> txIns = new ArrayList<>();
    for (PsbtInput in : inputs) {
      txIns.add(TxIn.unsigned(in.prevout(), in.sequence().orElse(TxIn.SEQUENCE_FINAL)));
    }
    return new Transaction(
        globals.txVersion(), txIns, outputs.stream().map(PsbtOutput::txOut).toList(), lockTime);
  }

  /** BIP-370 §Determining Lock Time; for version 0, the unsigned transaction's lock time. */
  public OptionalLong computedLockTime() {
    return globals
        .unsignedTx()
        .map(tx -> OptionalLong.of(tx.lockTime()))
        .orElseGet(() -> LockTimes.compute(globals.fallbackLockTime(), inputs));
  }

  public List<PsbtInput> inputs() {
    return List.copyOf(inputs);
  }

  public PsbtInput input(int i) {
    return inputs.get(i);
  }

  public List<PsbtOutput> outputs() {
    return List.copyOf(outputs);
  }

  public PsbtOutput output(int i) {
    return outputs.get(i);
  }

  /** PSBT_GLOBAL_XPUB entries, in map order. */
  public List<GlobalXpub> globalXpubs() {
    return globals.xpubs();
  }

  /** PSBT_GLOBAL_TX_MODIFIABLE (version 2); 0 when absent. */
  public int txModifiable() {
    return globals.txModifiable();
  }

  /** The transaction version: PSBT_GLOBAL_TX_VERSION (v2) or the unsigned transaction's (v0). */
  public int txVersion() {
    return globals.txVersion();
  }

  /** PSBT_GLOBAL_FALLBACK_LOCKTIME (version 2). */
  public OptionalLong fallbackLockTime() {
    return globals.fallbackLockTime();
  }

  // ---- Signer and finalizer ----

  /** BIP-174 §Signer: adds PSBT_IN_PARTIAL_SIG, replacing an entry for the same key. */
  public void addPartialSig(int input, PublicKey key, byte[] sigWithHashType) {
    String problem = FieldCodec.derSignatureProblem(sigWithHashType);
    if (problem != null) {
      throw new IllegalArgumentException("partial signature " + problem);
    }
    putInput(input, InputType.PARTIAL_SIG, key.toBytes(), sigWithHashType);
  }

  /** BIP-371: sets PSBT_IN_TAP_KEY_SIG, a 64- or 65-byte BIP-340 signature. */
  public void setTapKeySig(int input, byte[] sig64or65) {
    String problem = FieldCodec.schnorrSignatureProblem(sig64or65);
    if (problem != null) {
      throw new IllegalArgumentException("taproot key signature " + problem);
    }
    putInput(input, InputType.TAP_KEY_SIG, new byte[0], sig64or65);
  }

  /** BIP-371: adds PSBT_IN_TAP_SCRIPT_SIG for {@code key} and {@code leafHash}. */
  public void addTapScriptSig(int input, TapScriptSig sig) {
    byte[] keyData =
        new ByteWriter(64).bytes(sig.key().toBytes()).bytes(sig.leafHash()).toByteArray();
    putInput(input, InputType.TAP_SCRIPT_SIG, keyData, sig.signature());
  }

  /** BIP-370 §Signer: sets PSBT_GLOBAL_TX_MODIFIABLE (version 2 only). */
  public void setTxModifiable(int flags) {
    if (version() != 2) {
      throw new IllegalStateException("PSBT_GLOBAL_TX_MODIFIABLE exists only in PSBT version 2");
    }
    if (flags < 0 || flags > 0xff) {
      throw new IllegalArgumentException("flags are one byte, got " + flags);
    }
    PsbtMap map =
        globals.map().with(entry(GlobalType.TX_MODIFIABLE.code(), new byte[] {(byte) flags}));
    try {
      globals = PsbtGlobals.decode(map);
    } catch (PsbtException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /**
   * BIP-174 §Input Finalizer: sets PSBT_IN_FINAL_SCRIPTSIG and/or PSBT_IN_FINAL_SCRIPTWITNESS and
   * clears "all other data except the UTXO and unknown fields". Kept: NON_WITNESS_UTXO,
   * WITNESS_UTXO, proprietary and unknown entries, and in version 2 the fields the transaction is
   * built from (PREVIOUS_TXID, OUTPUT_INDEX, SEQUENCE and the required lock times), without which
   * the signed transaction could not be rebuilt.
   *
   * @param finalScriptSig null for none (native segwit)
   * @param finalWitness null for none (legacy)
   */
  public void finalizeInput(int input, Script finalScriptSig, List<byte[]> finalWitness) {
    if (finalScriptSig == null && finalWitness == null) {
      throw new IllegalArgumentException(
          "finalizing needs a final scriptSig, a final witness, or both");
    }
    editInput(
        input,
        map -> {
          PsbtMap kept = map.filter(e -> keptByFinalizer(e.type()));
          if (finalScriptSig != null) {
            kept = kept.with(entry(InputType.FINAL_SCRIPTSIG.code(), finalScriptSig.bytes()));
          }
          if (finalWitness != null) {
            kept =
                kept.with(
                    entry(
                        InputType.FINAL_SCRIPTWITNESS.code(),
                        FieldCodec.witnessStackBytes(finalWitness)));
          }
          return kept;
        });
  }

  private static boolean keptByFinalizer(long type) {
    return InputType.of(type)
        .map(
            t ->
                switch (t) {
                  case NON_WITNESS_UTXO, WITNESS_UTXO, PROPRIETARY -> true;
                  default -> t.versionTwoOnly();
                })
        .orElse(true);
  }

  /**
   * BIP-174 §Transaction Extractor: the unsigned transaction with each input's final scriptSig and
   * witness.
   *
   * @throws IllegalStateException naming the first input that is not finalized
   */
  public Transaction extract() {
    for (int i = 0; i < inputs.size(); i++) {
      if (!inputs.get(i).isFinalized()) {
        throw new IllegalStateException("input " + i + " is not finalized");
      }
    }
    Transaction unsigned = unsignedTx();
    List<TxIn> signed = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      PsbtInput in = inputs.get(i);
      signed.add(
          unsigned
              .inputs()
              .get(i)
              .withScriptSig(in.finalScriptSig().orElse(Script.EMPTY))
              .withWitness(in.finalScriptWitness().orElse(List.of())));
    }
    return new Transaction(unsigned.version(), signed, unsigned.outputs(), unsigned.lockTime());
  }

  // ---- Updater: inputs ----

  public void setNonWitnessUtxo(int input, Transaction tx) {
    putInput(input, InputType.NON_WITNESS_UTXO, new byte[0], tx.serialize());
  }

  public void setWitnessUtxo(int input, TxOut out) {
    putInput(input, InputType.WITNESS_UTXO, new byte[0], out.serialize());
  }

  public void setRedeemScript(int input, Script script) {
    putInput(input, InputType.REDEEM_SCRIPT, new byte[0], script.bytes());
  }

  public void setWitnessScript(int input, Script script) {
    putInput(input, InputType.WITNESS_SCRIPT, new byte[0], script.bytes());
  }

  /** PSBT_IN_SIGHASH_TYPE, a uint32. */
  public void setSighashType(int input, long sighashType) {
    putInput(input, InputType.SIGHASH_TYPE, new byte[0], FieldCodec.uint32Bytes(sighashType));
  }

  public void addBip32Derivation(int input, PublicKey key, KeyOrigin origin) {
    putInput(input, InputType.BIP32_DERIVATION, key.toBytes(), origin.toBytes());
  }

  public void setTapInternalKey(int input, XOnlyPublicKey key) {
    putInput(input, InputType.TAP_INTERNAL_KEY, new byte[0], key.toBytes());
  }

  public void addTapBip32Derivation(
      int input, XOnlyPublicKey key, List<byte[]> leafHashes, KeyOrigin origin) {
    putInput(
        input,
        InputType.TAP_BIP32_DERIVATION,
        key.toBytes(),
        TaprootCodec.derivationValue(leafHashes, origin));
  }

  public void addTapLeafScript(int input, TapLeafScript leaf) {
    putInput(
        input, InputType.TAP_LEAF_SCRIPT, leaf.controlBlock(), TaprootCodec.leafScriptValue(leaf));
  }

  /** PSBT_IN_TAP_MERKLE_ROOT, 32 bytes. */
  public void setTapMerkleRoot(int input, byte[] merkleRoot32) {
    if (merkleRoot32.length != 32) {
      throw new IllegalArgumentException("a taproot merkle root is 32 bytes");
    }
    putInput(input, InputType.TAP_MERKLE_ROOT, new byte[0], merkleRoot32);
  }

  // ---- Updater: outputs ----

  public void setOutputRedeemScript(int output, Script script) {
    putOutput(output, OutputType.REDEEM_SCRIPT, new byte[0], script.bytes());
  }

  public void setOutputWitnessScript(int output, Script script) {
    putOutput(output, OutputType.WITNESS_SCRIPT, new byte[0], script.bytes());
  }

  public void addOutputBip32Derivation(int output, PublicKey key, KeyOrigin origin) {
    putOutput(output, OutputType.BIP32_DERIVATION, key.toBytes(), origin.toBytes());
  }

  public void setOutputTapInternalKey(int output, XOnlyPublicKey key) {
    putOutput(output, OutputType.TAP_INTERNAL_KEY, new byte[0], key.toBytes());
  }

  public void addOutputTapBip32Derivation(
      int output, XOnlyPublicKey key, List<byte[]> leafHashes, KeyOrigin origin) {
    putOutput(
        output,
        OutputType.TAP_BIP32_DERIVATION,
        key.toBytes(),
        TaprootCodec.derivationValue(leafHashes, origin));
  }

  /** PSBT_OUT_TAP_TREE from its leaves in depth-first order; they must form a complete tree. */
  public void setOutputTapTree(int output, List<TapLeaf> leaves) {
    putOutput(output, OutputType.TAP_TREE, new byte[0], TaprootCodec.tapTreeValue(leaves));
  }

  // ---- editing ----

  private void putInput(int input, InputType type, byte[] keyData, byte[] value) {
    editInput(input, map -> map.with(new PsbtEntry(type.code(), keyData, value)));
  }

  private void editInput(int input, UnaryOperator<PsbtMap> edit) {
    Objects.checkIndex(input, inputs.size());
    PsbtMap edited = edit.apply(inputs.get(input).map());
    try {
      inputs.set(input, PsbtParser.input(globals, edited, input));
    } catch (PsbtException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private void putOutput(int output, OutputType type, byte[] keyData, byte[] value) {
    Objects.checkIndex(output, outputs.size());
    PsbtMap edited = outputs.get(output).map().with(new PsbtEntry(type.code(), keyData, value));
    try {
      outputs.set(output, PsbtParser.output(globals, edited, output));
    } catch (PsbtException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
