package dev.keep.enclave.psbt;

import java.util.Optional;

/** The keytypes of an input map that this codec interprets (BIP-174, BIP-370, BIP-371). */
enum InputType {
  NON_WITNESS_UTXO(0x00),
  WITNESS_UTXO(0x01),
  PARTIAL_SIG(0x02),
  SIGHASH_TYPE(0x03),
  REDEEM_SCRIPT(0x04),
  WITNESS_SCRIPT(0x05),
  BIP32_DERIVATION(0x06),
  FINAL_SCRIPTSIG(0x07),
  FINAL_SCRIPTWITNESS(0x08),
  POR_COMMITMENT(0x09),
  RIPEMD160(0x0a),
  SHA256(0x0b),
  HASH160(0x0c),
  HASH256(0x0d),
  PREVIOUS_TXID(0x0e),
  OUTPUT_INDEX(0x0f),
  SEQUENCE(0x10),
  REQUIRED_TIME_LOCKTIME(0x11),
  REQUIRED_HEIGHT_LOCKTIME(0x12),
  TAP_KEY_SIG(0x13),
  TAP_SCRIPT_SIG(0x14),
  TAP_LEAF_SCRIPT(0x15),
  TAP_BIP32_DERIVATION(0x16),
  TAP_INTERNAL_KEY(0x17),
  TAP_MERKLE_ROOT(0x18),
  PROPRIETARY(0xfc);

  private final int code;

  InputType(int code) {
    this.code = code;
  }

  long code() {
    return code;
  }

  /** The name the BIPs give the field, e.g. {@code PSBT_IN_PARTIAL_SIG}. */
  String bipName() {
    return "PSBT_IN_" + name();
  }

  /** BIP-370: fields that PSBT version 2 defines and version 0 must exclude. */
  boolean versionTwoOnly() {
    return code >= 0x0e && code <= 0x12;
  }

  static Optional<InputType> of(long code) {
    for (InputType t : values()) {
      if (t.code == code) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** The BIP name for a known keytype, else {@code "unknown keytype 0x.."}. */
  static String fieldName(long code) {
    return of(code)
        .map(InputType::bipName)
        .orElseGet(() -> "unknown keytype 0x" + Long.toHexString(code));
  }
}
