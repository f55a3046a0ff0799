package dev.keep.enclave.psbt;

import dev.keep.schema.encoding.Hex;
import java.util.Arrays;

/**
 * A PSBT_GLOBAL_XPUB entry (BIP-174): a 78-byte BIP-32 extended public key, kept as serialized
 * (version bytes of any network), and the origin of that key. The parser has checked that the key's
 * depth byte equals the path length and that its public key is on the curve.
 */
public record GlobalXpub(byte[] extendedKey78, KeyOrigin origin) {
  public static final int LENGTH = 78;

  public GlobalXpub {
    if (extendedKey78 == null || extendedKey78.length != LENGTH || origin == null) {
      throw new IllegalArgumentException("a global xpub is 78 bytes of extended key and an origin");
    }
    extendedKey78 = extendedKey78.clone();
  }

  @Override
  public byte[] extendedKey78() {
    return extendedKey78.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GlobalXpub other
        && Arrays.equals(extendedKey78, other.extendedKey78)
        && origin.equals(other.origin);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(extendedKey78) * 31 + origin.hashCode();
  }

  @Override
  public String toString() {
    return "GlobalXpub[" + Hex.encode(extendedKey78) + ", " + origin + "]";
  }
}
