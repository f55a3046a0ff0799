package dev.keep.enclave.psbt;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.keys.XOnlyPublicKey;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One output map of a PSBT, decoded and validated (BIP-174 per-output types, BIP-370, BIP-371).
 * Immutable; byte arrays are returned as copies.
 */
public final class PsbtOutput {
  private final PsbtMap map;
  private final TxOut txOut;
  private final Script redeemScript;
  private final Script witnessScript;
  private final List<Bip32Derivation> bip32Derivations;
  private final List<UncompressedBip32Derivation> uncompressedBip32Derivations;
  private final Long amount;
  private final Script script;
  private final XOnlyPublicKey tapInternalKey;
  private final byte[] tapTree;
  private final List<TapLeaf> tapLeaves;
  private final List<TapBip32Derivation> tapBip32Derivations;

  PsbtOutput(PsbtMap map, OutputMapDecoder d) {
    this.map = map;
    this.txOut = d.txOut;
    this.redeemScript = d.redeemScript;
    this.witnessScript = d.witnessScript;
    this.bip32Derivations = List.copyOf(d.bip32Derivations);
    this.uncompressedBip32Derivations = List.copyOf(d.uncompressedBip32Derivations);
    this.amount = d.amount;
    this.script = d.script;
    this.tapInternalKey = d.tapInternalKey;
    this.tapTree = d.tapTree;
    this.tapLeaves = d.tapLeaves;
    this.tapBip32Derivations = List.copyOf(d.tapBip32Derivations);
  }

  PsbtMap map() {
    return map;
  }

  /** The transaction output: from the unsigned transaction (v0) or AMOUNT and SCRIPT (v2). */
  public TxOut txOut() {
    return txOut;
  }

  public Optional<Script> redeemScript() {
    return Optional.ofNullable(redeemScript);
  }

  public Optional<Script> witnessScript() {
    return Optional.ofNullable(witnessScript);
  }

  /** PSBT_OUT_BIP32_DERIVATION entries whose key is compressed. */
  public List<Bip32Derivation> bip32Derivations() {
    return bip32Derivations;
  }

  /** PSBT_OUT_BIP32_DERIVATION entries whose key is uncompressed (65 bytes). */
  public List<UncompressedBip32Derivation> uncompressedBip32Derivations() {
    return uncompressedBip32Derivations;
  }

  public Optional<XOnlyPublicKey> tapInternalKey() {
    return Optional.ofNullable(tapInternalKey);
  }

  /** PSBT_OUT_TAP_TREE as encoded; {@link #tapLeaves} has it decoded. */
  public Optional<byte[]> tapTree() {
    return tapTree == null ? Optional.empty() : Optional.of(tapTree.clone());
  }

  /** The leaves of PSBT_OUT_TAP_TREE in depth-first order; empty when there is no tree. */
  public List<TapLeaf> tapLeaves() {
    return tapLeaves;
  }

  public List<TapBip32Derivation> tapBip32Derivations() {
    return tapBip32Derivations;
  }

  /** PSBT_OUT_AMOUNT (version 2 only), the raw int64. */
  public OptionalLong amount() {
    return amount == null ? OptionalLong.empty() : OptionalLong.of(amount);
  }

  /** PSBT_OUT_SCRIPT (version 2 only). */
  public Optional<Script> script() {
    return Optional.ofNullable(script);
  }
}
