package dev.keep.enclave.psbt;

import java.util.Optional;

/** The keytypes of an output map that this codec interprets (BIP-174, BIP-370, BIP-371). */
enum OutputType {
  REDEEM_SCRIPT(0x00),
  WITNESS_SCRIPT(0x01),
  BIP32_DERIVATION(0x02),
  AMOUNT(0x03),
  SCRIPT(0x04),
  TAP_INTERNAL_KEY(0x05),
  TAP_TREE(0x06),
  TAP_BIP32_DERIVATION(0x07),
  PROPRIETARY(0xfc);

  private final int code;

  OutputType(int code) {
    this.code = code;
  }

  long code() {
    return code;
  }

  /** The name the BIPs give the field, e.g. {@code PSBT_OUT_TAP_TREE}. */
  String bipName() {
    return "PSBT_OUT_" + name();
  }

  /** BIP-370: fields that PSBT version 2 defines and version 0 must exclude. */
  boolean versionTwoOnly() {
    return code == 0x03 || code == 0x04;
  }

  static Optional<OutputType> of(long code) {
    for (OutputType t : values()) {
      if (t.code == code) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** The BIP name for a known keytype, else {@code "unknown keytype 0x.."}. */
  static String fieldName(long code) {
    return of(code)
        .map(OutputType::bipName)
        .orElseGet(() -> "unknown keytype 0x" + Long.toHexString(code));
  }
}
