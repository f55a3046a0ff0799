package dev.keep.schema.attestation;

import java.util.HexFormat;

/** How byte values appear in messages: hex, shortened when long. */
final class Blobs {
  private static final HexFormat HEX = HexFormat.of();
  private static final int SHOWN = 32;

  private Blobs() {}

  static String hex(byte[] value) {
    return HEX.formatHex(value);
  }

  /** Full hex up to 32 bytes; beyond that the first 16 and last 4 bytes and the length. */
  static String describe(byte[] value) {
    if (value.length <= SHOWN) {
      return value.length == 0 ? "(empty)" : HEX.formatHex(value);
    }
    return HEX.formatHex(value, 0, 16) + "..." + HEX.formatHex(value, value.length - 4, value.length)
        + " (" + value.length + " bytes)";
  }
}
