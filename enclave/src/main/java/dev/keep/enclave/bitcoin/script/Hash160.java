package dev.keep.enclave.bitcoin.script;

import dev.keep.enclave.bitcoin.tx.DoubleSha256;
import dev.keep.enclave.keys.PublicKey;
import org.bouncycastle.crypto.digests.RIPEMD160Digest;

/** RIPEMD160(SHA256(x)): the hash in P2PKH, P2WPKH and P2SH scripts. */
public final class Hash160 {
  public static final int LENGTH = 20;

  private Hash160() {}

  public static byte[] of(byte[] data) {
    return ripemd160(DoubleSha256.sha256(data));
  }

  /** RIPEMD-160 alone, through BouncyCastle (the JDK has none). */
  public static byte[] ripemd160(byte[] data) {
    RIPEMD160Digest ripemd = new RIPEMD160Digest();
    ripemd.update(data, 0, data.length);
    byte[] out = new byte[LENGTH];
    ripemd.doFinal(out, 0);
    return out;
  }

  public static byte[] of(PublicKey key) {
    return of(key.toBytes());
  }
}
