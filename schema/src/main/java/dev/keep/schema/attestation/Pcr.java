package dev.keep.schema.attestation;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One platform configuration register value: 48 bytes, because a Nitro document's {@code digest}
 * is SHA384 (AWS Nitro Enclaves, "Where to get an enclave's measurements": PCRs are SHA-384).
 * Prints as lower-case hex; compares by content (PCRs are public).
 */
public final class Pcr {
  public static final int LENGTH = 48;

  /** The value of PCR0, PCR1 and PCR2 in a debug-mode enclave. */
  public static final Pcr ZERO = new Pcr(new byte[LENGTH]);

  private static final HexFormat HEX = HexFormat.of();

  private final byte[] value;

  private Pcr(byte[] value) {
    this.value = value;
  }

  /** @throws IllegalArgumentException unless {@code value} is 48 bytes */
  public static Pcr of(byte[] value) {
    if (value.length != LENGTH) {
      throw new IllegalArgumentException("a PCR is " + LENGTH + " bytes, not " + value.length);
    }
    return new Pcr(value.clone());
  }

  /**
   * Parses 96 hex digits, either case, nothing else (no prefix, no spaces).
   *
   * @throws IllegalArgumentException otherwise
   */
  public static Pcr fromHex(String hex) {
    if (hex.length() != 2 * LENGTH) {
      throw new IllegalArgumentException(
          "a PCR is " + (2 * LENGTH) + " hex digits, not " + hex.length());
    }
    for (int i = 0; i < hex.length(); i++) {
      char c = hex.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        throw new IllegalArgumentException("not a hex digit at position " + i + ": '" + c + "'");
      }
    }
    return new Pcr(HEX.parseHex(hex));
  }

  public byte[] bytes() {
    return value.clone();
  }

  public String hex() {
    return HEX.formatHex(value);
  }

  public boolean isZero() {
    for (byte b : value) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Pcr other && Arrays.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return hex();
  }
}
