package dev.keep.enclave.psbt;

import dev.keep.enclave.keys.PublicKey;

/**
 * A PSBT_IN_BIP32_DERIVATION or PSBT_OUT_BIP32_DERIVATION entry (BIP-174) whose key is compressed:
 * the key and where it was derived from.
 *
 * @see UncompressedBip32Derivation for the 65-byte keys BIP-174 also allows
 */
public record Bip32Derivation(PublicKey key, KeyOrigin origin) {
  public Bip32Derivation {
    if (key == null || origin == null) {
      throw new IllegalArgumentException("a derivation needs a key and an origin");
    }
  }
}
