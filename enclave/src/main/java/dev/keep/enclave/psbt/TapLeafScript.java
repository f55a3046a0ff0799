package dev.keep.enclave.psbt;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.schema.encoding.Hex;
import java.util.Arrays;

/**
 * A PSBT_IN_TAP_LEAF_SCRIPT entry (BIP-371): a BIP-341 control block (33 + 32m bytes, m at most
 * 128), the leaf's script and its leaf version.
 */
public record TapLeafScript(byte[] controlBlock, Script script, int leafVersion) {
  public TapLeafScript {
    String problem = TaprootCodec.controlBlockProblem(controlBlock);
    if (problem != null) {
      throw new IllegalArgumentException("control block " + problem);
    }
    if (script == null || leafVersion < 0 || leafVersion > 0xff) {
      throw new IllegalArgumentException("a leaf needs a script and a one-byte leaf version");
    }
    controlBlock = controlBlock.clone();
  }

  @Override
  public byte[] controlBlock() {
    return controlBlock.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TapLeafScript other
        && Arrays.equals(controlBlock, other.controlBlock)
        && script.equals(other.script)
        && leafVersion == other.leafVersion;
  }

  @Override
  public int hashCode() {
    return (Arrays.hashCode(controlBlock) * 31 + script.hashCode()) * 31 + leafVersion;
  }

  @Override
  public String toString() {
    return "TapLeafScript[" + Hex.encode(controlBlock) + ", " + script + ", " + leafVersion + "]";
  }
}
