package dev.keep.enclave.psbt;

import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxFormatException;
import dev.keep.enclave.bitcoin.tx.TxIn;
import dev.keep.enclave.keys.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The global map, decoded and checked against BIP-174 §Specification and BIP-370's inclusion and
 * exclusion rules: version 0 needs PSBT_GLOBAL_UNSIGNED_TX and excludes the version 2 fields;
 * version 2 excludes the unsigned transaction and needs TX_VERSION, INPUT_COUNT and OUTPUT_COUNT.
 */
record PsbtGlobals(
    PsbtMap map,
    int version,
    Optional<Transaction> unsignedTx,
    int txVersion,
    OptionalLong fallbackLockTime,
    long inputCount,
    long outputCount,
    int txModifiable,
    List<GlobalXpub> xpubs) {
  private static final PsbtLocation WHERE = PsbtLocation.GLOBAL;

  static PsbtGlobals decode(PsbtMap map) throws PsbtException {
    int version = version(map);
    Transaction tx = null;
    Integer txVersion = null;
    Long fallback = null;
    Long inputCount = null;
    Long outputCount = null;
    int modifiable = 0;
    List<GlobalXpub> xpubs = new ArrayList<>();
    for (PsbtEntry e : map.entries()) {
      Optional<GlobalType> known = GlobalType.of(e.type());
      if (known.isEmpty()) {
        continue; // unknown keytypes are kept as they are (BIP-174 §Unknown fields)
      }
      GlobalType type = known.get();
      String field = type.bipName();
      if (type.versionTwoOnly() && version == 0) {
        throw new PsbtException(WHERE, field, "must be excluded in PSBT version 0 (BIP-370)");
      }
      if (type == GlobalType.PROPRIETARY) {
        FieldCodec.requireProprietaryKey(e, WHERE, field);
        continue;
      }
      if (type == GlobalType.XPUB) {
        xpubs.add(xpub(e));
        continue;
      }
      FieldCodec.requireNoKeyData(e, WHERE, field);
      byte[] v = e.value();
      switch (type) {
        case UNSIGNED_TX -> tx = unsignedTx(v, version);
        case TX_VERSION -> txVersion = FieldCodec.int32(v, WHERE, field);
        case FALLBACK_LOCKTIME -> fallback = FieldCodec.uint32(v, WHERE, field);
        case INPUT_COUNT -> inputCount = FieldCodec.compactSize(v, WHERE, field);
        case OUTPUT_COUNT -> outputCount = FieldCodec.compactSize(v, WHERE, field);
        case TX_MODIFIABLE -> modifiable = FieldCodec.uint8(v, WHERE, field);
        default -> {} // PSBT_GLOBAL_VERSION, read above
      }
    }
    if (version == 0) {
      if (tx == null) {
        throw new PsbtException(
            WHERE, GlobalType.UNSIGNED_TX.bipName(), "required in PSBT version 0 (BIP-174)");
      }
      return new PsbtGlobals(
          map,
          0,
          Optional.of(tx),
          tx.version(),
          OptionalLong.empty(),
          tx.inputs().size(),
          tx.outputs().size(),
          0,
          List.copyOf(xpubs));
    }
    require(txVersion, GlobalType.TX_VERSION);
    require(inputCount, GlobalType.INPUT_COUNT);
    require(outputCount, GlobalType.OUTPUT_COUNT);
    return new PsbtGlobals(
        map,
        2,
        Optional.empty(),
        txVersion,
        fallback == null ? OptionalLong.empty() : OptionalLong.of(fallback),
        inputCount,
        outputCount,
        modifiable,
        List.copyOf(xpubs));
  }

  /** PSBT_GLOBAL_VERSION: absent means 0; this codec knows 0 (BIP-174) and 2 (BIP-370). */
  private static int version(PsbtMap map) throws PsbtException {
    String field = GlobalType.VERSION.bipName();
    for (PsbtEntry e : map.entries()) {
      if (e.type() == GlobalType.VERSION.code()) {
        FieldCodec.requireNoKeyData(e, WHERE, field);
        long v = FieldCodec.uint32(e.value(), WHERE, field);
        if (v != 0 && v != 2) {
          throw new PsbtException(
              WHERE, field, "version " + v + " is not supported (only 0, BIP-174, and 2, BIP-370)");
        }
        return (int) v;
      }
    }
    return 0;
  }

  /**
   * BIP-174: the unsigned transaction "must be serialized in the network serialization format ...
   * without witnesses", and "the transaction must be in the old serialization format (without
   * witnesses)" with empty scriptSigs; BIP-370 excludes it from version 2.
   */
  private static Transaction unsignedTx(byte[] value, int version) throws PsbtException {
    String field = GlobalType.UNSIGNED_TX.bipName();
    if (version == 2) {
      throw new PsbtException(WHERE, field, "must be excluded in PSBT version 2 (BIP-370)");
    }
    Transaction tx;
    try {
      tx = Transaction.parse(value, false);
    } catch (TxFormatException e) {
      if (hasWitnessMarker(value)) {
        throw new PsbtException(
            WHERE,
            field,
            "serialized in the witness format (marker 0x00, flag 0x01); BIP-174 requires the format"
                + " without witnesses");
      }
      throw new PsbtException(WHERE, field, "not a valid transaction: " + e.getMessage());
    }
    List<TxIn> inputs = tx.inputs();
    for (int i = 0; i < inputs.size(); i++) {
      if (!inputs.get(i).scriptSig().isEmpty()) {
        throw new PsbtException(WHERE, field, "scriptSig of input " + i + " must be empty");
      }
    }
    return tx;
  }

  /**
   * BIP-144: a 0x00 marker and 0x01 flag after the version (checked once the old format failed).
   */
  private static boolean hasWitnessMarker(byte[] value) {
    return value.length > 6 && value[4] == 0x00 && value[5] == 0x01;
  }

  /**
   * PSBT_GLOBAL_XPUB (BIP-174): key data the 78-byte extended key; "the number of 32 bit unsigned
   * integer indexes must match the depth provided in the extended public key".
   */
  private static GlobalXpub xpub(PsbtEntry e) throws PsbtException {
    String field = GlobalType.XPUB.bipName();
    FieldCodec.requireKeyDataLength(
        e, GlobalXpub.LENGTH, "a serialized extended public key", WHERE, field);
    byte[] key = e.keyData();
    KeyOrigin origin = FieldCodec.keyOrigin(e.value(), 0, WHERE, field);
    int depth = key[4] & 0xff;
    if (depth != origin.path().depth()) {
      throw new PsbtException(
          WHERE,
          field,
          "derivation path has "
              + origin.path().depth()
              + " steps but the extended key's depth is "
              + depth);
    }
    String problem = PublicKey.problemWith(Arrays.copyOfRange(key, 45, GlobalXpub.LENGTH));
    if (problem != null) {
      throw new PsbtException(WHERE, field, "extended key's public key " + problem);
    }
    return new GlobalXpub(key, origin);
  }

  private static void require(Object value, GlobalType type) throws PsbtException {
    if (value == null) {
      throw new PsbtException(WHERE, type.bipName(), "required in PSBT version 2 (BIP-370)");
    }
  }
}
