package dev.keep.enclave.psbt;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.tx.OutPoint;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.bitcoin.tx.Txid;
import dev.keep.enclave.keys.XOnlyPublicKey;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One input map of a PSBT, decoded and validated (BIP-174 per-input types, BIP-370, BIP-371).
 * Immutable: a {@link Psbt} mutation replaces the input's view with a new one. Byte arrays are
 * returned as copies. Fields that the codec does not interpret (unknown keytypes, proprietary
 * fields, hash preimages, the proof-of-reserves commitment) are kept raw for serialization.
 */
public final class PsbtInput {
  private final PsbtMap map;
  private final OutPoint prevout;
  private final Transaction nonWitnessUtxo;
  private final TxOut witnessUtxo;
  private final List<PartialSig> partialSigs;
  private final Long sighashType;
  private final Script redeemScript;
  private final Script witnessScript;
  private final List<Bip32Derivation> bip32Derivations;
  private final List<UncompressedBip32Derivation> uncompressedBip32Derivations;
  private final Script finalScriptSig;
  private final List<byte[]> finalScriptWitness;
  private final Txid previousTxid;
  private final Long outputIndex;
  private final Long sequence;
  private final Long requiredTimeLockTime;
  private final Long requiredHeightLockTime;
  private final byte[] tapKeySig;
  private final List<TapScriptSig> tapScriptSigs;
  private final List<TapLeafScript> tapLeafScripts;
  private final List<TapBip32Derivation> tapBip32Derivations;
  private final XOnlyPublicKey tapInternalKey;
  private final byte[] tapMerkleRoot;

  PsbtInput(PsbtMap map, InputMapDecoder d) {
    this.map = map;
    this.prevout = d.prevout;
    this.nonWitnessUtxo = d.nonWitnessUtxo;
    this.witnessUtxo = d.witnessUtxo;
    this.partialSigs = List.copyOf(d.partialSigs);
    this.sighashType = d.sighashType;
    this.redeemScript = d.redeemScript;
    this.witnessScript = d.witnessScript;
    this.bip32Derivations = List.copyOf(d.bip32Derivations);
    this.uncompressedBip32Derivations = List.copyOf(d.uncompressedBip32Derivations);
    this.finalScriptSig = d.finalScriptSig;
    this.finalScriptWitness =
        d.finalScriptWitness == null ? null : List.copyOf(d.finalScriptWitness);
    this.previousTxid = d.previousTxid;
    this.outputIndex = d.outputIndex;
    this.sequence = d.sequence;
    this.requiredTimeLockTime = d.requiredTimeLockTime;
    this.requiredHeightLockTime = d.requiredHeightLockTime;
    this.tapKeySig = d.tapKeySig;
    this.tapScriptSigs = List.copyOf(d.tapScriptSigs);
    this.tapLeafScripts = List.copyOf(d.tapLeafScripts);
    this.tapBip32Derivations = List.copyOf(d.tapBip32Derivations);
    this.tapInternalKey = d.tapInternalKey;
    this.tapMerkleRoot = d.tapMerkleRoot;
  }

  PsbtMap map() {
    return map;
  }

  /** The outpoint this input spends: from the unsigned transaction (v0) or the map (v2). */
  public OutPoint prevout() {
    return prevout;
  }

  /**
   * PSBT_IN_NON_WITNESS_UTXO: the whole transaction spent from; its txid matches {@link #prevout}.
   */
  public Optional<Transaction> nonWitnessUtxo() {
    return Optional.ofNullable(nonWitnessUtxo);
  }

  /** PSBT_IN_WITNESS_UTXO: the output spent. */
  public Optional<TxOut> witnessUtxo() {
    return Optional.ofNullable(witnessUtxo);
  }

  /** PSBT_IN_PARTIAL_SIG entries, in map order. */
  public List<PartialSig> partialSigs() {
    return partialSigs;
  }

  /** PSBT_IN_SIGHASH_TYPE (uint32). */
  public OptionalLong sighashType() {
    return optional(sighashType);
  }

  public Optional<Script> redeemScript() {
    return Optional.ofNullable(redeemScript);
  }

  public Optional<Script> witnessScript() {
    return Optional.ofNullable(witnessScript);
  }

  /** PSBT_IN_BIP32_DERIVATION entries whose key is compressed. */
  public List<Bip32Derivation> bip32Derivations() {
    return bip32Derivations;
  }

  /** PSBT_IN_BIP32_DERIVATION entries whose key is uncompressed (65 bytes). */
  public List<UncompressedBip32Derivation> uncompressedBip32Derivations() {
    return uncompressedBip32Derivations;
  }

  public Optional<Script> finalScriptSig() {
    return Optional.ofNullable(finalScriptSig);
  }

  /** PSBT_IN_FINAL_SCRIPTWITNESS: the witness stack items, copied. */
  public Optional<List<byte[]>> finalScriptWitness() {
    return finalScriptWitness == null
        ? Optional.empty()
        : Optional.of(finalScriptWitness.stream().map(byte[]::clone).toList());
  }

  /** PSBT_IN_PREVIOUS_TXID (version 2 only). */
  public Optional<Txid> previousTxid() {
    return Optional.ofNullable(previousTxid);
  }

  /** PSBT_IN_OUTPUT_INDEX (version 2 only). */
  public OptionalLong outputIndex() {
    return optional(outputIndex);
  }

  /** PSBT_IN_SEQUENCE (version 2 only); absent means 0xffffffff. */
  public OptionalLong sequence() {
    return optional(sequence);
  }

  /** PSBT_IN_REQUIRED_TIME_LOCKTIME (version 2 only), at least 500000000. */
  public OptionalLong requiredTimeLockTime() {
    return optional(requiredTimeLockTime);
  }

  /** PSBT_IN_REQUIRED_HEIGHT_LOCKTIME (version 2 only), 1 to 499999999. */
  public OptionalLong requiredHeightLockTime() {
    return optional(requiredHeightLockTime);
  }

  /** PSBT_IN_TAP_KEY_SIG: 64 or 65 bytes. */
  public Optional<byte[]> tapKeySig() {
    return tapKeySig == null ? Optional.empty() : Optional.of(tapKeySig.clone());
  }

  public List<TapScriptSig> tapScriptSigs() {
    return tapScriptSigs;
  }

  public List<TapLeafScript> tapLeafScripts() {
    return tapLeafScripts;
  }

  public List<TapBip32Derivation> tapBip32Derivations() {
    return tapBip32Derivations;
  }

  public Optional<XOnlyPublicKey> tapInternalKey() {
    return Optional.ofNullable(tapInternalKey);
  }

  /** PSBT_IN_TAP_MERKLE_ROOT: 32 bytes. */
  public Optional<byte[]> tapMerkleRoot() {
    return tapMerkleRoot == null ? Optional.empty() : Optional.of(tapMerkleRoot.clone());
  }

  /**
   * BIP-174 §Input Finalizer: the input has PSBT_IN_FINAL_SCRIPTSIG or PSBT_IN_FINAL_SCRIPTWITNESS.
   */
  public boolean isFinalized() {
    return finalScriptSig != null || finalScriptWitness != null;
  }

  private static OptionalLong optional(Long v) {
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }
}
