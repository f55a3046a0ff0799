package dev.keep.enclave.bitcoin.taproot;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.tx.ByteWriter;
import dev.keep.enclave.signing.TaggedHash;
import dev.keep.schema.encoding.Hex;
import java.util.Arrays;

/**
 * The hash of a node of a taproot script tree (BIP-341 §Constructing and spending Taproot
 * outputs): a leaf's TapLeaf hash or a branch's TapBranch hash. The tree's root is the
 * {@code merkle_root} that {@link TapTweak} commits to, and what PSBT_IN_TAP_MERKLE_ROOT holds.
 */
public final class TapNodeHash {
  public static final int LENGTH = 32;
  /** BIP-342 tapscript. */
  public static final int TAPSCRIPT_LEAF_VERSION = 0xc0;

  private final byte[] bytes;

  private TapNodeHash(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A node hash given as 32 bytes, such as a PSBT's merkle root. */
  public static TapNodeHash of(byte[] bytes) {
    if (bytes == null || bytes.length != LENGTH) {
      throw new IllegalArgumentException("tap node hash must be " + LENGTH + " bytes");
    }
    return new TapNodeHash(bytes.clone());
  }

  /**
   * A leaf: {@code hash_TapLeaf(leaf_version || compact_size(size of script) || script)}. The
   * leaf version is even, because the control block keeps the output key's parity in its low bit.
   */
  public static TapNodeHash leaf(int leafVersion, Script script) {
    if (leafVersion < 0 || leafVersion > 0xfe || (leafVersion & 1) != 0) {
      throw new IllegalArgumentException(
          "leaf version: must be an even byte (BIP-341 leaf_version & 0xfe), got " + leafVersion);
    }
    byte[] data =
        new ByteWriter(script.length() + 4).u8(leafVersion).varBytes(script.bytes()).toByteArray();
    return new TapNodeHash(TaggedHash.of("TapLeaf", data).toBytes());
  }

  /**
   * A branch over two children: {@code hash_TapBranch(min(a, b) || max(a, b))}, the children in
   * lexicographic order so that the hash does not depend on which side each is on.
   */
  public static TapNodeHash branch(TapNodeHash a, TapNodeHash b) {
    boolean aFirst = Arrays.compareUnsigned(a.bytes, b.bytes) <= 0;
    byte[] data = new byte[2 * LENGTH];
    System.arraycopy(aFirst ? a.bytes : b.bytes, 0, data, 0, LENGTH);
    System.arraycopy(aFirst ? b.bytes : a.bytes, 0, data, LENGTH, LENGTH);
    return new TapNodeHash(TaggedHash.of("TapBranch", data).toBytes());
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  public String toHex() {
    return Hex.encode(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TapNodeHash other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
