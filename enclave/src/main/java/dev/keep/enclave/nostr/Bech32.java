package dev.keep.enclave.nostr;

import dev.keep.enclave.nostr.Bech32Exception.Rule;
import java.util.Arrays;

/**
 * Bech32 over 8-bit payloads, as BIP-173 §Bech32 specifies it: the checksum constant is 1 (not
 * BIP-350's bech32m), and NIP-19 uses it for npub and nsec.
 *
 * <p>bitcoinj 0.17's {@code Bech32.encodeBytes/decodeBytes} can do the same job, but an nsec passes
 * through here: bitcoinj leaves the secret in intermediate arrays it never clears, and its
 * exceptions quote the offending input character. Here every buffer that holds payload bits is
 * zeroed before returning, and errors name the rule and a position only.
 */
final class Bech32 {
  /** BIP-173: "A Bech32 string is at most 90 characters long". */
  static final int MAX_LENGTH = 90;

  private static final int CHECKSUM_LENGTH = 6;
  private static final String ALPHABET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  private static final int BECH32_CONST = 1;
  /** BIP-350's constant: recognised only so that the error can say what the string is. */
  private static final int BECH32M_CONST = 0x2bc830a3;
  private static final int[] GENERATOR = {
    0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3
  };
  private static final byte[] ALPHABET_INDEX = new byte[128];

  static {
    Arrays.fill(ALPHABET_INDEX, (byte) -1);
    for (int i = 0; i < ALPHABET.length(); i++) {
      ALPHABET_INDEX[ALPHABET.charAt(i)] = (byte) i;
    }
  }

  private Bech32() {}

  /**
   * Encodes {@code payload} under {@code hrp}, all lower case (BIP-173: "Encoders MUST always
   * output an all lowercase Bech32 string"). The payload is not kept or changed.
   */
  static String encode(String hrp, byte[] payload) {
    checkHrp(hrp);
    byte[] values = toFiveBit(payload);
    int length = hrp.length() + 1 + values.length + CHECKSUM_LENGTH;
    char[] out = new char[length];
    try {
      if (length > MAX_LENGTH) {
        throw new IllegalArgumentException(
            "bech32: " + payload.length + " bytes under '" + hrp + "' exceed 90 characters");
      }
      // BIP-173 bech32_create_checksum: polymod(hrp_expand(hrp) + data + [0] * 6) ^ 1.
      int checksum = hrpPolymod(hrp);
      for (byte v : values) {
        checksum = polymodStep(checksum, v);
      }
      for (int i = 0; i < CHECKSUM_LENGTH; i++) {
        checksum = polymodStep(checksum, 0);
      }
      checksum ^= BECH32_CONST;
      hrp.getChars(0, hrp.length(), out, 0);
      int pos = hrp.length();
      out[pos++] = '1';
      for (byte v : values) {
        out[pos++] = ALPHABET.charAt(v);
      }
      for (int i = 0; i < CHECKSUM_LENGTH; i++) {
        out[pos++] = ALPHABET.charAt((checksum >>> (5 * (5 - i))) & 31);
      }
      return new String(out);
    } finally {
      Arrays.fill(values, (byte) 0);
      Arrays.fill(out, '\0');
    }
  }

  /**
   * Decodes {@code text}, which must carry {@code expectedHrp} (either case, never mixed), and
   * returns the 8-bit payload. The caller owns the returned array; if it is secret, the caller
   * zeroes it.
   *
   * @throws Bech32Exception naming {@code field} and the BIP-173 rule the text breaks
   */
  static byte[] decode(String field, String expectedHrp, String text) {
    if (text == null) {
      throw new Bech32Exception(field, Rule.LENGTH, "missing");
    }
    int length = text.length();
    if (length > MAX_LENGTH) {
      throw new Bech32Exception(field, Rule.LENGTH, "longer than 90 characters (BIP-173)");
    }
    boolean lower = false;
    boolean upper = false;
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (c < 33 || c > 126) {
        throw new Bech32Exception(
            field, Rule.CHARACTER, "character " + i + " is not US-ASCII 33-126 (BIP-173)");
      }
      lower |= c >= 'a' && c <= 'z';
      upper |= c >= 'A' && c <= 'Z';
    }
    if (lower && upper) {
      throw new Bech32Exception(field, Rule.MIXED_CASE, "mixes upper and lower case (BIP-173)");
    }
    // BIP-173: "In case '1' is allowed inside the human-readable part, the last one in the
    // string is the separator".
    int separator = text.lastIndexOf('1');
    if (separator < 0) {
      throw new Bech32Exception(field, Rule.SEPARATOR, "has no separator '1' (BIP-173)");
    }
    if (separator == 0) {
      throw new Bech32Exception(field, Rule.HRP, "human-readable part is empty (BIP-173)");
    }
    int dataLength = length - separator - 1;
    if (dataLength < CHECKSUM_LENGTH) {
      throw new Bech32Exception(
          field, Rule.LENGTH, "data part is shorter than the 6-character checksum (BIP-173)");
    }
    if (separator != expectedHrp.length()
        || !text.regionMatches(true, 0, expectedHrp, 0, separator)) {
      throw new Bech32Exception(
          field, Rule.HRP, "human-readable part must be '" + expectedHrp + "' (NIP-19)");
    }
    byte[] values = new byte[dataLength];
    try {
      for (int i = 0; i < dataLength; i++) {
        // Lower-casing one ASCII character at a time keeps no lower-case copy of the whole text.
        int index = ALPHABET_INDEX[Character.toLowerCase(text.charAt(separator + 1 + i))];
        if (index < 0) {
          throw new Bech32Exception(
              field,
              Rule.CHARACTER,
              "character " + (separator + 1 + i) + " is not in the bech32 alphabet (BIP-173)");
        }
        values[i] = (byte) index;
      }
      // BIP-173 bech32_verify_checksum: polymod(hrp_expand(hrp) + data) == 1, with the hrp in
      // lower case ("The lowercase form is used when determining a character's value").
      int check = hrpPolymod(expectedHrp);
      for (byte v : values) {
        check = polymodStep(check, v);
      }
      if (check == BECH32M_CONST) {
        throw new Bech32Exception(
            field, Rule.CHECKSUM, "has a bech32m checksum; NIP-19 uses bech32 (BIP-173)");
      }
      if (check != BECH32_CONST) {
        throw new Bech32Exception(field, Rule.CHECKSUM, "bad checksum (BIP-173)");
      }
      return toEightBit(field, values, dataLength - CHECKSUM_LENGTH);
    } finally {
      Arrays.fill(values, (byte) 0);
    }
  }

  private static void checkHrp(String hrp) {
    if (hrp == null || hrp.isEmpty() || hrp.length() > 83) {
      throw new IllegalArgumentException("bech32: human-readable part must be 1 to 83 characters");
    }
    for (int i = 0; i < hrp.length(); i++) {
      char c = hrp.charAt(i);
      if (c < 33 || c > 126 || (c >= 'A' && c <= 'Z')) {
        throw new IllegalArgumentException(
            "bech32: human-readable part must be lower-case US-ASCII 33-126");
      }
    }
  }

  /** BIP-173 bech32_hrp_expand fed to the polymod: high bits of each char, 0, low bits. */
  private static int hrpPolymod(String hrp) {
    int chk = 1;
    for (int i = 0; i < hrp.length(); i++) {
      chk = polymodStep(chk, Character.toLowerCase(hrp.charAt(i)) >>> 5);
    }
    chk = polymodStep(chk, 0);
    for (int i = 0; i < hrp.length(); i++) {
      chk = polymodStep(chk, Character.toLowerCase(hrp.charAt(i)) & 31);
    }
    return chk;
  }

  /**
   * One step of BIP-173 bech32_polymod. The generator is applied with masks rather than branches,
   * so the time taken does not depend on the (possibly secret) data.
   */
  private static int polymodStep(int chk, int value) {
    int top = chk >>> 25;
    int next = ((chk & 0x1ffffff) << 5) ^ value;
    for (int i = 0; i < GENERATOR.length; i++) {
      next ^= -((top >>> i) & 1) & GENERATOR[i];
    }
    return next;
  }

  /**
   * BIP-173 §Segwit address format: "Re-arrange those bits into groups of 5, and pad with zeroes
   * at the end if needed".
   */
  private static byte[] toFiveBit(byte[] payload) {
    byte[] out = new byte[(payload.length * 8 + 4) / 5];
    int acc = 0;
    int bits = 0;
    int pos = 0;
    for (byte b : payload) {
      acc = ((acc << 8) | (b & 0xff)) & 0xfff;
      bits += 8;
      while (bits >= 5) {
        bits -= 5;
        out[pos++] = (byte) ((acc >>> bits) & 31);
      }
    }
    if (bits > 0) {
      out[pos] = (byte) ((acc << (5 - bits)) & 31);
    }
    return out;
  }

  /**
   * BIP-173 §Decoding: "Any incomplete group at the end MUST be 4 bits or less, MUST be all
   * zeroes, and is discarded."
   */
  private static byte[] toEightBit(String field, byte[] values, int count) {
    byte[] out = new byte[count * 5 / 8];
    int acc = 0;
    int bits = 0;
    int pos = 0;
    for (int i = 0; i < count; i++) {
      acc = ((acc << 5) | values[i]) & 0xfff;
      bits += 5;
      if (bits >= 8) {
        bits -= 8;
        out[pos++] = (byte) (acc >>> bits);
      }
    }
    if (bits > 4) {
      Arrays.fill(out, (byte) 0);
      throw new Bech32Exception(field, Rule.PADDING, "more than 4 padding bits (BIP-173)");
    }
    if ((acc & ((1 << bits) - 1)) != 0) {
      Arrays.fill(out, (byte) 0);
      throw new Bech32Exception(field, Rule.PADDING, "padding bits are not zero (BIP-173)");
    }
    return out;
  }
}
