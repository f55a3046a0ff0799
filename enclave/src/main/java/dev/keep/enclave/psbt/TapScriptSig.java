package dev.keep.enclave.psbt;

import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.schema.encoding.Hex;
import java.util.Arrays;

/**
 * A PSBT_IN_TAP_SCRIPT_SIG entry (BIP-371): the x-only key and the leaf hash it signs for, and the
 * 64- or 65-byte BIP-340 signature.
 */
public record TapScriptSig(XOnlyPublicKey key, byte[] leafHash, byte[] signature) {
  public TapScriptSig {
    if (key == null || leafHash == null || leafHash.length != 32) {
      throw new IllegalArgumentException(
          "a tapscript signature needs a key and a 32-byte leaf hash");
    }
    if (signature == null || (signature.length != 64 && signature.length != 65)) {
      throw new IllegalArgumentException("a BIP-340 signature is 64 or 65 bytes");
    }
    leafHash = leafHash.clone();
    signature = signature.clone();
  }

  @Override
  public byte[] leafHash() {
    return leafHash.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TapScriptSig other
        && key.equals(other.key)
        && Arrays.equals(leafHash, other.leafHash)
        && Arrays.equals(signature, other.signature);
  }

  @Override
  public int hashCode() {
    return (key.hashCode() * 31 + Arrays.hashCode(leafHash)) * 31 + Arrays.hashCode(signature);
  }

  @Override
  public String toString() {
    return "TapScriptSig[" + key + ", " + Hex.encode(leafHash) + ", " + Hex.encode(signature) + "]";
  }
}
