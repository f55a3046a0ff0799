package dev.keep.enclave.psbt;

import dev.keep.enclave.bitcoin.tx.ByteWriter;
import dev.keep.enclave.keys.hd.DerivationPath;
import dev.keep.enclave.keys.hd.Fingerprint;

/**
 * Where a key comes from: the fingerprint of the master key and the BIP-32 path from it. BIP-174
 * encodes it (in PSBT_GLOBAL_XPUB, PSBT_IN_BIP32_DERIVATION and the rest) as "the master key
 * fingerprint ... concatenated with the derivation path of the public key", the path as 32-bit
 * little-endian child numbers.
 */
public record KeyOrigin(Fingerprint fingerprint, DerivationPath path) {
  public KeyOrigin {
    if (fingerprint == null || path == null) {
      throw new IllegalArgumentException("key origin needs a fingerprint and a path");
    }
  }

  /**
   * The BIP-174 encoding: 4 fingerprint bytes as serialized, then each child number as uint32 LE.
   */
  public byte[] toBytes() {
    ByteWriter w = new ByteWriter(4 + 4 * path.depth());
    w.bytes(fingerprint.toBytes());
    for (int child : path.childNumbers()) {
      w.u32(child & 0xffffffffL);
    }
    return w.toByteArray();
  }
}
