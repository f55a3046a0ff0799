package dev.keep.enclave.bitcoin.taproot;

import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.XOnlyPublicKey;

/**
 * A taproot output key Q: its x coordinate, which the P2TR scriptPubKey holds, and the parity of
 * its Y, which a script-path control block records (BIP-341 §Script validation rules).
 */
public record OutputKey(XOnlyPublicKey key, boolean oddY) {
  public OutputKey {
    if (key == null) {
      throw new IllegalArgumentException("output key is required");
    }
  }

  /** Q as a compressed point: 0x02 for even Y, 0x03 for odd, then x. */
  public PublicKey toPublicKey() {
    byte[] compressed = new byte[PublicKey.LENGTH];
    compressed[0] = (byte) (oddY ? 0x03 : 0x02);
    System.arraycopy(key.toBytes(), 0, compressed, 1, XOnlyPublicKey.LENGTH);
    return PublicKey.ofCompressed(compressed);
  }
}
