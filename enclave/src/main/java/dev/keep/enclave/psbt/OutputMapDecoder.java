package dev.keep.enclave.psbt;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.XOnlyPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decodes one output map into a {@link PsbtOutput}, checking every field against BIP-174
 * §Specification (per-output types), BIP-370 (PSBT_OUT_AMOUNT and PSBT_OUT_SCRIPT, required in
 * version 2 and excluded from version 0) and BIP-371 (taproot fields).
 */
final class OutputMapDecoder {
  private final PsbtLocation where;
  private final int version;

  Script redeemScript;
  Script witnessScript;
  final List<Bip32Derivation> bip32Derivations = new ArrayList<>();
  final List<UncompressedBip32Derivation> uncompressedBip32Derivations = new ArrayList<>();
  Long amount;
  Script script;
  XOnlyPublicKey tapInternalKey;
  byte[] tapTree;
  List<TapLeaf> tapLeaves = List.of();
  final List<TapBip32Derivation> tapBip32Derivations = new ArrayList<>();
  TxOut txOut;

  private OutputMapDecoder(PsbtLocation where, int version) {
    this.where = where;
    this.version = version;
  }

  /**
   * @param txOutput in version 0, the unsigned transaction's output at this index; null in v2
   */
  static PsbtOutput decode(PsbtMap map, PsbtLocation where, int version, TxOut txOutput)
      throws PsbtException {
    OutputMapDecoder d = new OutputMapDecoder(where, version);
    for (PsbtEntry e : map.entries()) {
      d.accept(e);
    }
    d.txOut = version == 0 ? txOutput : d.versionTwoTxOut();
    return new PsbtOutput(map, d);
  }

  private void accept(PsbtEntry e) throws PsbtException {
    Optional<OutputType> known = OutputType.of(e.type());
    if (known.isEmpty()) {
      return; // unknown keytypes are kept as they are (BIP-174 §Unknown fields)
    }
    OutputType type = known.get();
    String f = type.bipName();
    if (type.versionTwoOnly() && version == 0) {
      throw new PsbtException(where, f, "must be excluded in PSBT version 0 (BIP-370)");
    }
    switch (type) {
      case BIP32_DERIVATION -> derivation(e, f);
      case TAP_BIP32_DERIVATION -> tapBip32Derivations.add(TaprootCodec.derivation(e, where, f));
      case PROPRIETARY -> FieldCodec.requireProprietaryKey(e, where, f);
      default -> {
        FieldCodec.requireNoKeyData(e, where, f);
        acceptKeyless(type, e.value(), f);
      }
    }
  }

  private void acceptKeyless(OutputType type, byte[] v, String f) throws PsbtException {
    switch (type) {
      case REDEEM_SCRIPT -> redeemScript = Script.of(v);
      case WITNESS_SCRIPT -> witnessScript = Script.of(v);
      case AMOUNT -> amount = FieldCodec.int64(v, where, f);
      case SCRIPT -> script = Script.of(v);
      case TAP_INTERNAL_KEY -> tapInternalKey = FieldCodec.xOnlyKey(v, "value", where, f);
      case TAP_TREE -> {
        tapLeaves = TaprootCodec.tapTree(v, where, f);
        tapTree = v;
      }
      default -> throw new IllegalStateException("unhandled output keytype " + type);
    }
  }

  private void derivation(PsbtEntry e, String f) throws PsbtException {
    byte[] key = e.keyData();
    FieldCodec.requirePublicKey(key, where, f);
    KeyOrigin origin = FieldCodec.keyOrigin(e.value(), 0, where, f);
    if (key.length == PublicKey.LENGTH) {
      bip32Derivations.add(new Bip32Derivation(PublicKey.ofCompressed(key), origin));
    } else {
      uncompressedBip32Derivations.add(new UncompressedBip32Derivation(key, origin));
    }
  }

  private TxOut versionTwoTxOut() throws PsbtException {
    if (amount == null) {
      throw new PsbtException(
          where, OutputType.AMOUNT.bipName(), "required in PSBT version 2 (BIP-370)");
    }
    if (script == null) {
      throw new PsbtException(
          where, OutputType.SCRIPT.bipName(), "required in PSBT version 2 (BIP-370)");
    }
    return new TxOut(amount, script);
  }
}
