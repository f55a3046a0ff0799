package dev.keep.enclave.psbt;

import dev.keep.enclave.bitcoin.script.Hash160;
import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.tx.DoubleSha256;
import dev.keep.enclave.bitcoin.tx.OutPoint;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.bitcoin.tx.Txid;
import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.XOnlyPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Decodes one input map into a {@link PsbtInput}, checking every field against BIP-174
 * §Specification (per-input types), BIP-370 (version 2 fields) and BIP-371 (taproot fields). Holds
 * the decoded values while it works; {@link PsbtInput}'s constructor copies them.
 */
final class InputMapDecoder {
  /** BIP-65 / Bitcoin Core's LOCKTIME_THRESHOLD: lock times from here on are Unix times. */
  static final long LOCKTIME_THRESHOLD = 500_000_000L;

  private final PsbtLocation where;
  private final int version;

  Transaction nonWitnessUtxo;
  TxOut witnessUtxo;
  final List<PartialSig> partialSigs = new ArrayList<>();
  Long sighashType;
  Script redeemScript;
  Script witnessScript;
  final List<Bip32Derivation> bip32Derivations = new ArrayList<>();
  final List<UncompressedBip32Derivation> uncompressedBip32Derivations = new ArrayList<>();
  Script finalScriptSig;
  List<byte[]> finalScriptWitness;
  Txid previousTxid;
  Long outputIndex;
  Long sequence;
  Long requiredTimeLockTime;
  Long requiredHeightLockTime;
  byte[] tapKeySig;
  final List<TapScriptSig> tapScriptSigs = new ArrayList<>();
  final List<TapLeafScript> tapLeafScripts = new ArrayList<>();
  final List<TapBip32Derivation> tapBip32Derivations = new ArrayList<>();
  XOnlyPublicKey tapInternalKey;
  byte[] tapMerkleRoot;
  OutPoint prevout;

  private InputMapDecoder(PsbtLocation where, int version) {
    this.where = where;
    this.version = version;
  }

  /**
   * @param txPrevout in version 0, the outpoint the unsigned transaction spends at this index; null
   *     in version 2, where the map itself names it
   */
  static PsbtInput decode(PsbtMap map, PsbtLocation where, int version, OutPoint txPrevout)
      throws PsbtException {
    InputMapDecoder d = new InputMapDecoder(where, version);
    for (PsbtEntry e : map.entries()) {
      d.accept(e);
    }
    d.prevout = version == 0 ? txPrevout : d.versionTwoPrevout();
    d.checkNonWitnessUtxo();
    return new PsbtInput(map, d);
  }

  private void accept(PsbtEntry e) throws PsbtException {
    Optional<InputType> known = InputType.of(e.type());
    if (known.isEmpty()) {
      return; // unknown keytypes are kept as they are (BIP-174 §Unknown fields)
    }
    InputType type = known.get();
    String f = type.bipName();
    if (type.versionTwoOnly() && version == 0) {
      throw new PsbtException(where, f, "must be excluded in PSBT version 0 (BIP-370)");
    }
    byte[] v = e.value();
    switch (type) {
      case PARTIAL_SIG -> partialSig(e, f);
      case BIP32_DERIVATION -> derivation(e, f);
      case RIPEMD160, SHA256, HASH160, HASH256 -> preimage(type, e, f);
      case TAP_SCRIPT_SIG -> tapScriptSig(e, f);
      case TAP_LEAF_SCRIPT -> tapLeafScripts.add(TaprootCodec.leafScript(e, where, f));
      case TAP_BIP32_DERIVATION -> tapBip32Derivations.add(TaprootCodec.derivation(e, where, f));
      case PROPRIETARY -> FieldCodec.requireProprietaryKey(e, where, f);
      default -> {
        FieldCodec.requireNoKeyData(e, where, f);
        acceptKeyless(type, v, f);
      }
    }
  }

  private void acceptKeyless(InputType type, byte[] v, String f) throws PsbtException {
    switch (type) {
      case NON_WITNESS_UTXO -> nonWitnessUtxo = FieldCodec.transaction(v, true, where, f);
      case WITNESS_UTXO -> witnessUtxo = FieldCodec.txOut(v, where, f);
      case SIGHASH_TYPE -> sighashType = FieldCodec.uint32(v, where, f);
      case REDEEM_SCRIPT -> redeemScript = Script.of(v);
      case WITNESS_SCRIPT -> witnessScript = Script.of(v);
      case FINAL_SCRIPTSIG -> finalScriptSig = Script.of(v);
      case FINAL_SCRIPTWITNESS -> finalScriptWitness = FieldCodec.witnessStack(v, where, f);
      case POR_COMMITMENT -> {} // free text, kept as it is
      case PREVIOUS_TXID ->
          previousTxid = Txid.fromInternal(FieldCodec.exact(v, 32, "a txid", where, f));
      case OUTPUT_INDEX -> outputIndex = FieldCodec.uint32(v, where, f);
      case SEQUENCE -> sequence = FieldCodec.uint32(v, where, f);
      case REQUIRED_TIME_LOCKTIME -> {
        long t = FieldCodec.uint32(v, where, f);
        if (t < LOCKTIME_THRESHOLD) {
          throw new PsbtException(
              where, f, "time " + t + " must be at least " + LOCKTIME_THRESHOLD);
        }
        requiredTimeLockTime = t;
      }
      case REQUIRED_HEIGHT_LOCKTIME -> {
        long h = FieldCodec.uint32(v, where, f);
        if (h == 0 || h >= LOCKTIME_THRESHOLD) {
          throw new PsbtException(
              where,
              f,
              "height " + h + " must be greater than 0 and less than " + LOCKTIME_THRESHOLD);
        }
        requiredHeightLockTime = h;
      }
      case TAP_KEY_SIG -> {
        String problem = FieldCodec.schnorrSignatureProblem(v);
        if (problem != null) {
          throw new PsbtException(where, f, "signature " + problem);
        }
        tapKeySig = v;
      }
      case TAP_INTERNAL_KEY -> tapInternalKey = FieldCodec.xOnlyKey(v, "value", where, f);
      case TAP_MERKLE_ROOT -> tapMerkleRoot = FieldCodec.exact(v, 32, "a 32-byte hash", where, f);
      default -> throw new IllegalStateException("unhandled input keytype " + type);
    }
  }

  /**
   * PSBT_IN_PARTIAL_SIG: key data a public key; value "the signature as would be pushed to the
   * stack".
   */
  private void partialSig(PsbtEntry e, String f) throws PsbtException {
    byte[] key = e.keyData();
    FieldCodec.requirePublicKey(key, where, f);
    byte[] sig = e.value();
    String problem = FieldCodec.derSignatureProblem(sig);
    if (problem != null) {
      throw new PsbtException(where, f, "signature " + problem);
    }
    partialSigs.add(new PartialSig(key, sig));
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

  private void tapScriptSig(PsbtEntry e, String f) throws PsbtException {
    FieldCodec.requireKeyDataLength(e, 64, "an x-only public key and a leaf hash", where, f);
    byte[] sig = e.value();
    String problem = FieldCodec.schnorrSignatureProblem(sig);
    if (problem != null) {
      throw new PsbtException(where, f, "signature " + problem);
    }
    byte[] key = e.keyData();
    tapScriptSigs.add(
        new TapScriptSig(
            FieldCodec.xOnlyKey(Arrays.copyOf(key, 32), "key data", where, f),
            Arrays.copyOfRange(key, 32, 64),
            sig));
  }

  /** BIP-174: the preimage "must equal the key when run through" the field's hash function. */
  private void preimage(InputType type, PsbtEntry e, String f) throws PsbtException {
    int length = type == InputType.RIPEMD160 || type == InputType.HASH160 ? 20 : 32;
    FieldCodec.requireKeyDataLength(e, length, "a " + length + "-byte hash", where, f);
    byte[] preimage = e.value();
    byte[] hash =
        switch (type) {
          case RIPEMD160 -> Hash160.ripemd160(preimage);
          case SHA256 -> DoubleSha256.sha256(preimage);
          case HASH160 -> Hash160.of(preimage);
          default -> DoubleSha256.of(preimage);
        };
    if (!Arrays.equals(hash, e.keyData())) {
      throw new PsbtException(where, f, "value is not a preimage of the hash in the key");
    }
  }

  /** BIP-370: PSBT_IN_PREVIOUS_TXID and PSBT_IN_OUTPUT_INDEX are required in version 2. */
  private OutPoint versionTwoPrevout() throws PsbtException {
    if (previousTxid == null) {
      throw new PsbtException(
          where, InputType.PREVIOUS_TXID.bipName(), "required in PSBT version 2 (BIP-370)");
    }
    if (outputIndex == null) {
      throw new PsbtException(
          where, InputType.OUTPUT_INDEX.bipName(), "required in PSBT version 2 (BIP-370)");
    }
    return new OutPoint(previousTxid, outputIndex);
  }

  /**
   * BIP-174: the non-witness UTXO is the transaction the input spends from, so its txid must match.
   */
  private void checkNonWitnessUtxo() throws PsbtException {
    if (nonWitnessUtxo == null) {
      return;
    }
    String f = InputType.NON_WITNESS_UTXO.bipName();
    Txid txid = nonWitnessUtxo.txid();
    if (!txid.equals(prevout.txid())) {
      throw new PsbtException(
          where,
          f,
          "transaction " + txid + " is not the one the input spends from (" + prevout.txid() + ")");
    }
    if (prevout.index() >= nonWitnessUtxo.outputs().size()) {
      throw new PsbtException(
          where,
          f,
          "transaction has "
              + nonWitnessUtxo.outputs().size()
              + " outputs, so the spent index "
              + prevout.index()
              + " does not exist");
    }
  }
}
