package dev.keep.enclave.keys.hd;

import dev.keep.enclave.bitcoin.script.Hash160;
import dev.keep.enclave.keys.PublicKey;
import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * A BIP-32 key fingerprint (§Key identifiers): the first 32 bits of HASH160 of the compressed
 * public key. It identifies a parent in serialized extended keys and a master key in PSBT key
 * origins. It is a hint, not an identity: software must tolerate collisions.
 */
public record Fingerprint(int value) {
  /** The parent fingerprint of a master key (§Serialization format: 0x00000000 if master key). */
  public static final Fingerprint NONE = new Fingerprint(0);

  /** §Key identifiers: the first four bytes of RIPEMD160(SHA256(ser_P(K))). */
  public static Fingerprint of(PublicKey key) {
    byte[] id = Hash160.of(key);
    return new Fingerprint(ByteBuffer.wrap(id, 0, 4).getInt());
  }

  /** The four bytes as they appear in a serialized key, most significant first. */
  public byte[] toBytes() {
    return ByteBuffer.allocate(4).putInt(value).array();
  }

  /** Eight lower-case hex digits, the form wallets and descriptors print. */
  public String toHex() {
    return HexFormat.of().toHexDigits(value);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
