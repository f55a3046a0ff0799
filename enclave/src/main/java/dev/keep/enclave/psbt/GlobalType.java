package dev.keep.enclave.psbt;

import java.util.Optional;

/** The keytypes of the global map that this codec interprets (BIP-174, BIP-370). */
enum GlobalType {
  UNSIGNED_TX(0x00),
  XPUB(0x01),
  TX_VERSION(0x02),
  FALLBACK_LOCKTIME(0x03),
  INPUT_COUNT(0x04),
  OUTPUT_COUNT(0x05),
  TX_MODIFIABLE(0x06),
  VERSION(0xfb),
  PROPRIETARY(0xfc);

  private final int code;

  GlobalType(int code) {
    this.code = code;
  }

  long code() {
    return code;
  }

  /** The name the BIPs give the field, e.g. {@code PSBT_GLOBAL_XPUB}. */
  String bipName() {
    return "PSBT_GLOBAL_" + name();
  }

  /** BIP-370: fields that PSBT version 2 defines and version 0 must exclude. */
  boolean versionTwoOnly() {
    return code >= 0x02 && code <= 0x06;
  }

  static Optional<GlobalType> of(long code) {
    for (GlobalType t : values()) {
      if (t.code == code) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** The BIP name for a known keytype, else {@code "unknown keytype 0x.."}. */
  static String fieldName(long code) {
    return of(code)
        .map(GlobalType::bipName)
        .orElseGet(() -> "unknown keytype 0x" + Long.toHexString(code));
  }
}
