package dev.keep.enclave.bitcoin.script;

import dev.keep.schema.encoding.Hex;
import java.util.Arrays;

/**
 * A Bitcoin script as bytes, with the template checks that spend analysis and signing need.
 * Immutable: {@link #bytes()} returns a copy.
 */
public final class Script {
  public static final Script EMPTY = new Script(new byte[0]);

  static final int OP_0 = 0x00;
  static final int OP_1 = 0x51;
  static final int OP_16 = 0x60;
  static final int OP_RETURN = 0x6a;
  static final int OP_DUP = 0x76;
  static final int OP_EQUAL = 0x87;
  static final int OP_EQUALVERIFY = 0x88;
  static final int OP_HASH160 = 0xa9;
  static final int OP_CHECKSIG = 0xac;

  private final byte[] bytes;

  private Script(byte[] bytes) {
    this.bytes = bytes;
  }

  public static Script of(byte[] bytes) {
    return bytes.length == 0 ? EMPTY : new Script(bytes.clone());
  }

  public static Script fromHex(String hex) {
    return of(Hex.decode("script", hex));
  }

  public static Script p2pkh(byte[] pubKeyHash) {
    requireLength(pubKeyHash, 20, "P2PKH key hash");
    byte[] s = new byte[25];
    s[0] = (byte) OP_DUP;
    s[1] = (byte) OP_HASH160;
    s[2] = 20;
    System.arraycopy(pubKeyHash, 0, s, 3, 20);
    s[23] = (byte) OP_EQUALVERIFY;
    s[24] = (byte) OP_CHECKSIG;
    return new Script(s);
  }

  public static Script p2sh(byte[] scriptHash) {
    requireLength(scriptHash, 20, "P2SH script hash");
    byte[] s = new byte[23];
    s[0] = (byte) OP_HASH160;
    s[1] = 20;
    System.arraycopy(scriptHash, 0, s, 2, 20);
    s[22] = (byte) OP_EQUAL;
    return new Script(s);
  }

  public static Script p2wpkh(byte[] pubKeyHash) {
    requireLength(pubKeyHash, 20, "P2WPKH key hash");
    return witness(0, pubKeyHash);
  }

  public static Script p2tr(byte[] outputKeyXOnly) {
    requireLength(outputKeyXOnly, 32, "P2TR output key");
    return witness(1, outputKeyXOnly);
  }

  private static Script witness(int version, byte[] program) {
    byte[] s = new byte[2 + program.length];
    s[0] = (byte) (version == 0 ? OP_0 : OP_1 + version - 1);
    s[1] = (byte) program.length;
    System.arraycopy(program, 0, s, 2, program.length);
    return new Script(s);
  }

  private static void requireLength(byte[] b, int n, String what) {
    if (b.length != n) {
      throw new IllegalArgumentException(what + " must be " + n + " bytes, got " + b.length);
    }
  }

  public ScriptType type() {
    int n = bytes.length;
    if (n == 25
        && u(0) == OP_DUP
        && u(1) == OP_HASH160
        && u(2) == 20
        && u(23) == OP_EQUALVERIFY
        && u(24) == OP_CHECKSIG) {
      return ScriptType.P2PKH;
    }
    if (n == 23 && u(0) == OP_HASH160 && u(1) == 20 && u(22) == OP_EQUAL) {
      return ScriptType.P2SH;
    }
    if (n >= 1 && u(0) == OP_RETURN) {
      return ScriptType.OP_RETURN;
    }
    int version = witnessVersion();
    if (version == 0 && n == 22) {
      return ScriptType.P2WPKH;
    }
    if (version == 0 && n == 34) {
      return ScriptType.P2WSH;
    }
    if (version == 1 && n == 34) {
      return ScriptType.P2TR;
    }
    if (version >= 0) {
      return ScriptType.WITNESS_UNKNOWN;
    }
    return ScriptType.NONSTANDARD;
  }

  /**
   * BIP-141 §Witness program: a version push (OP_0 or OP_1..OP_16) followed by one direct push of
   * 2 to 40 bytes, and nothing else. Returns the version, or -1 when this is not a witness program.
   */
  public int witnessVersion() {
    int n = bytes.length;
    if (n < 4 || n > 42) {
      return -1;
    }
    int op = u(0);
    if (op != OP_0 && (op < OP_1 || op > OP_16)) {
      return -1;
    }
    if (u(1) + 2 != n) {
      return -1;
    }
    return op == OP_0 ? 0 : op - OP_1 + 1;
  }

  /** The witness program (the pushed bytes) of a witness script. */
  public byte[] witnessProgram() {
    if (witnessVersion() < 0) {
      throw new IllegalStateException("not a witness program");
    }
    return Arrays.copyOfRange(bytes, 2, bytes.length);
  }

  private int u(int i) {
    return bytes[i] & 0xff;
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  public int length() {
    return bytes.length;
  }

  public boolean isEmpty() {
    return bytes.length == 0;
  }

  public String toHex() {
    return Hex.encode(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Script other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
