package dev.keep.enclave.psbt;

import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.schema.encoding.Hex;
import java.util.Arrays;
import java.util.List;

/**
 * A PSBT_IN_TAP_BIP32_DERIVATION or PSBT_OUT_TAP_BIP32_DERIVATION entry (BIP-371): an x-only key,
 * the hashes of the leaves that use it (none for the internal key), and its origin.
 */
public record TapBip32Derivation(XOnlyPublicKey key, List<byte[]> leafHashes, KeyOrigin origin) {
  public TapBip32Derivation {
    if (key == null || leafHashes == null || origin == null) {
      throw new IllegalArgumentException(
          "a taproot derivation needs a key, leaf hashes and an origin");
    }
    leafHashes = copy(leafHashes);
  }

  private static List<byte[]> copy(List<byte[]> hashes) {
    for (byte[] h : hashes) {
      if (h == null || h.length != 32) {
        throw new IllegalArgumentException("a leaf hash is 32 bytes");
      }
    }
    return hashes.stream().map(byte[]::clone).toList();
  }

  /** Copies of the leaf hashes, in the order the PSBT lists them. */
  @Override
  public List<byte[]> leafHashes() {
    return leafHashes.stream().map(byte[]::clone).toList();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof TapBip32Derivation other)
        || !key.equals(other.key)
        || !origin.equals(other.origin)
        || leafHashes.size() != other.leafHashes.size()) {
      return false;
    }
    for (int i = 0; i < leafHashes.size(); i++) {
      if (!Arrays.equals(leafHashes.get(i), other.leafHashes.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = key.hashCode() * 31 + origin.hashCode();
    for (byte[] leaf : leafHashes) {
      h = h * 31 + Arrays.hashCode(leaf);
    }
    return h;
  }

  @Override
  public String toString() {
    return "TapBip32Derivation["
        + key
        + ", "
        + leafHashes.stream().map(Hex::encode).toList()
        + ", "
        + origin
        + "]";
  }
}
