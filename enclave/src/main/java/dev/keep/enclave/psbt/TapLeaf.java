package dev.keep.enclave.psbt;

import dev.keep.enclave.bitcoin.script.Script;

/**
 * One leaf of a PSBT_OUT_TAP_TREE (BIP-371): its depth in the tree (0 to 128, BIP-341's control
 * block limit), its leaf version and its script.
 */
public record TapLeaf(int depth, int leafVersion, Script script) {
  /** BIP-341: a control block holds at most 128 hashes, so no leaf is deeper than 128. */
  public static final int MAX_DEPTH = 128;

  public TapLeaf {
    if (depth < 0 || depth > MAX_DEPTH) {
      throw new IllegalArgumentException("leaf depth must be 0 to " + MAX_DEPTH + ", got " + depth);
    }
    if (leafVersion < 0 || leafVersion > 0xff || script == null) {
      throw new IllegalArgumentException("a leaf needs a one-byte leaf version and a script");
    }
  }
}
