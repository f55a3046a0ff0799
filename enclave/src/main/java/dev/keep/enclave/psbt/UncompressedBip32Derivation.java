package dev.keep.enclave.psbt;

import dev.keep.schema.encoding.Hex;
import java.util.Arrays;

/**
 * A BIP-32 derivation entry whose key the PSBT carries uncompressed (65 bytes, 0x04 then X and Y).
 * Kept apart from {@link Bip32Derivation} so that code which matches compressed keys never mistakes
 * one for a compressed key: the two hash to different P2PKH addresses.
 */
public record UncompressedBip32Derivation(byte[] key65, KeyOrigin origin) {
  public UncompressedBip32Derivation {
    if (key65 == null || key65.length != 65 || key65[0] != 0x04 || origin == null) {
      throw new IllegalArgumentException("an uncompressed key is 65 bytes starting with 0x04");
    }
    key65 = key65.clone();
  }

  @Override
  public byte[] key65() {
    return key65.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UncompressedBip32Derivation other
        && Arrays.equals(key65, other.key65)
        && origin.equals(other.origin);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(key65) * 31 + origin.hashCode();
  }

  @Override
  public String toString() {
    return "UncompressedBip32Derivation[" + Hex.encode(key65) + ", " + origin + "]";
  }
}
