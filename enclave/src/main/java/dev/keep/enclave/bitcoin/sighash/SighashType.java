package dev.keep.enclave.bitcoin.sighash;

/**
 * The sighash type: the byte appended to a signature that says which parts of the transaction it
 * commits to. Any one-byte value can be held; which values may be signed depends on the
 * algorithm, and {@link TransactionSighasher} checks that per input:
 *
 * <ul>
 *   <li>legacy and BIP-143: ALL, NONE, SINGLE, each with or without ANYONECANPAY (Bitcoin Core's
 *       {@code IsDefinedHashtypeSignature}; other values are consensus-valid but non-standard, and
 *       Keep does not sign them);
 *   <li>BIP-341 §Common signature message: the same six and SIGHASH_DEFAULT (0x00), and nothing
 *       else ("hash_type ... must be one of 0x00, 0x01, 0x02, 0x03, 0x81, 0x82 or 0x83").
 * </ul>
 */
public record SighashType(int value) {
  public static final SighashType DEFAULT = new SighashType(0x00);
  public static final SighashType ALL = new SighashType(0x01);
  public static final SighashType NONE = new SighashType(0x02);
  public static final SighashType SINGLE = new SighashType(0x03);
  public static final SighashType ALL_ANYONECANPAY = new SighashType(0x81);
  public static final SighashType NONE_ANYONECANPAY = new SighashType(0x82);
  public static final SighashType SINGLE_ANYONECANPAY = new SighashType(0x83);

  static final int ANYONECANPAY_FLAG = 0x80;
  static final int BASE_ALL = 1;
  static final int BASE_NONE = 2;
  static final int BASE_SINGLE = 3;

  public SighashType {
    if (value < 0 || value > 0xff) {
      throw new IllegalArgumentException(
          "sighash type: must be one byte (0x00..0xff), as a signature carries it; got " + value);
    }
  }

  /**
   * From PSBT_IN_SIGHASH_TYPE (BIP-174: a little-endian uint32). Only values that fit the one byte
   * a signature carries can be represented; a PSBT parser refuses larger ones as a field error
   * before calling this, so a value above 0xff here is a bug.
   *
   * @throws IllegalArgumentException when {@code psbtValue} is not in 0..0xff
   */
  public static SighashType of(long psbtValue) {
    if (psbtValue < 0 || psbtValue > 0xff) {
      throw new IllegalArgumentException(
          "PSBT_IN_SIGHASH_TYPE: 0x" + Long.toHexString(psbtValue) + " does not fit in one byte");
    }
    return new SighashType((int) psbtValue);
  }

  /** Whether the 0x80 flag is set: the signature commits to this input only. */
  public boolean anyoneCanPay() {
    return (value & ANYONECANPAY_FLAG) != 0;
  }

  /**
   * The base type. Legacy and BIP-143 take {@code value & 0x1f} (Bitcoin Core's SignatureHash),
   * BIP-341 takes {@code value & 3}; the two agree on every type either algorithm signs, so this
   * is {@code value & 0x1f} and each algorithm checks the value first.
   */
  public int base() {
    return value & 0x1f;
  }

  /** Legacy and BIP-143: ALL, NONE or SINGLE, optionally with ANYONECANPAY. */
  public boolean isValidForSegwitV0AndLegacy() {
    int withoutFlag = value & ~ANYONECANPAY_FLAG;
    return withoutFlag >= BASE_ALL && withoutFlag <= BASE_SINGLE;
  }

  /** BIP-341 §Common signature message: 0x00, 0x01, 0x02, 0x03, 0x81, 0x82 or 0x83. */
  public boolean isValidForTaproot() {
    return value == 0x00 || isValidForSegwitV0AndLegacy();
  }

  /** SIGHASH_DEFAULT: BIP-341 signatures for it are 64 bytes, with no type byte appended. */
  public boolean isDefault() {
    return value == 0x00;
  }

  @Override
  public String toString() {
    return switch (value) {
      case 0x00 -> "SIGHASH_DEFAULT";
      case 0x01 -> "SIGHASH_ALL";
      case 0x02 -> "SIGHASH_NONE";
      case 0x03 -> "SIGHASH_SINGLE";
      case 0x81 -> "SIGHASH_ALL|ANYONECANPAY";
      case 0x82 -> "SIGHASH_NONE|ANYONECANPAY";
      case 0x83 -> "SIGHASH_SINGLE|ANYONECANPAY";
      default -> String.format("sighash type 0x%02x", value);
    };
  }
}
