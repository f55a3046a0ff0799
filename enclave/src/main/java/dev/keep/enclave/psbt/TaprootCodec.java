package dev.keep.enclave.psbt;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.tx.ByteWriter;
import dev.keep.enclave.bitcoin.tx.TxFormatException;
import dev.keep.enclave.keys.XOnlyPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The encodings BIP-371 adds: control blocks, leaf scripts, the taproot tree, taproot key origins.
 */
final class TaprootCodec {
  /** BIP-341: a control block is 33 + 32m bytes with m at most 128. */
  static final int MAX_CONTROL_BLOCK_HASHES = 128;

  private TaprootCodec() {}

  /** BIP-341 §Script validation rules: why {@code cb} is not a control block, or null. */
  static String controlBlockProblem(byte[] cb) {
    if (cb == null) {
      return "is required";
    }
    if (cb.length < 33 || (cb.length - 33) % 32 != 0) {
      return "is " + cb.length + " bytes, but must be 33 + 32m";
    }
    if ((cb.length - 33) / 32 > MAX_CONTROL_BLOCK_HASHES) {
      return "has " + (cb.length - 33) / 32 + " hashes, more than " + MAX_CONTROL_BLOCK_HASHES;
    }
    return null;
  }

  /**
   * BIP-341 leaf versions are even: the control block keeps the output key's parity in the low bit
   * of the byte that carries the leaf version.
   */
  static String leafVersionProblem(int leafVersion) {
    return (leafVersion & 1) == 0
        ? null
        : String.format("leaf version 0x%02x is odd; BIP-341 leaf versions are even", leafVersion);
  }

  /** PSBT_IN_TAP_LEAF_SCRIPT value: {@code <script> <8-bit uint leaf version>}. */
  static TapLeafScript leafScript(PsbtEntry e, PsbtLocation where, String field)
      throws PsbtException {
    byte[] cb = e.keyData();
    String problem = controlBlockProblem(cb);
    if (problem != null) {
      throw new PsbtException(where, field, "key data control block " + problem);
    }
    byte[] value = e.value();
    if (value.length == 0) {
      throw new PsbtException(
          where, field, "value must be a script followed by a leaf version byte");
    }
    int leafVersion = value[value.length - 1] & 0xff;
    problem = leafVersionProblem(leafVersion);
    if (problem != null) {
      throw new PsbtException(where, field, problem);
    }
    return new TapLeafScript(cb, Script.of(Arrays.copyOf(value, value.length - 1)), leafVersion);
  }

  static byte[] leafScriptValue(TapLeafScript leaf) {
    byte[] script = leaf.script().bytes();
    byte[] value = Arrays.copyOf(script, script.length + 1);
    value[script.length] = (byte) leaf.leafVersion();
    return value;
  }

  /**
   * PSBT_OUT_TAP_TREE (BIP-371): one or more {@code <depth> <leaf version> <compact size script>}
   * in depth-first order, "allowing the entire tree to be reconstructed". The depths are checked to
   * describe exactly one complete binary tree: each leaf either pairs with the pending subtree at
   * its depth (their parent then pairs upward) or starts a deeper one.
   */
  static List<TapLeaf> tapTree(byte[] value, PsbtLocation where, String field)
      throws PsbtException {
    if (value.length == 0) {
      throw new PsbtException(where, field, "value must hold at least one leaf");
    }
    return FieldCodec.readAll(
        value,
        where,
        field,
        r -> {
          List<TapLeaf> leaves = new ArrayList<>();
          int[] pending = new int[TapLeaf.MAX_DEPTH + 2];
          int top = 0;
          while (!r.atEnd()) {
            int leafIndex = leaves.size();
            int depth = r.readU8("leaf " + leafIndex + " depth");
            int version = r.readU8("leaf " + leafIndex + " leaf version");
            Script script = Script.of(r.readVarBytes("leaf " + leafIndex + " script"));
            String problem = treeStepProblem(depth, version, pending, top);
            if (problem != null) {
              throw new TxFormatException("leaf " + leafIndex + ": " + problem);
            }
            int node = depth;
            while (top > 0 && pending[top - 1] == node) {
              top--;
              node--;
            }
            pending[top++] = node;
            leaves.add(new TapLeaf(depth, version, script));
          }
          if (top != 1 || pending[0] != 0) {
            throw new TxFormatException("the leaves do not complete a tree");
          }
          return List.copyOf(leaves);
        });
  }

  private static String treeStepProblem(int depth, int version, int[] pending, int top) {
    if (depth > TapLeaf.MAX_DEPTH) {
      return "depth " + depth + " exceeds BIP-341's " + TapLeaf.MAX_DEPTH;
    }
    String problem = leafVersionProblem(version);
    if (problem != null) {
      return problem;
    }
    if (top == 1 && pending[0] == 0) {
      return "follows a complete tree";
    }
    if (top > 0 && depth < pending[top - 1]) {
      return "depth "
          + depth
          + " leaves the subtree at depth "
          + pending[top - 1]
          + " incomplete (leaves must be in depth-first order)";
    }
    return null;
  }

  static byte[] tapTreeValue(List<TapLeaf> leaves) {
    ByteWriter w = new ByteWriter();
    for (TapLeaf leaf : leaves) {
      w.u8(leaf.depth()).u8(leaf.leafVersion()).varBytes(leaf.script().bytes());
    }
    return w.toByteArray();
  }

  /**
   * PSBT_IN/OUT_TAP_BIP32_DERIVATION (BIP-371): key data a 32-byte x-only key; value {@code
   * <compact size count> <32-byte leaf hash>* <key origin>}.
   */
  static TapBip32Derivation derivation(PsbtEntry e, PsbtLocation where, String field)
      throws PsbtException {
    XOnlyPublicKey key = FieldCodec.xOnlyKey(e.keyData(), "key data", where, field);
    byte[] value = e.value();
    List<byte[]> hashes = new ArrayList<>();
    int[] consumed = new int[1];
    FieldCodec.readAll(
        value,
        where,
        field,
        r -> {
          int count = r.readCount("leaf hash count", 32);
          for (int i = 0; i < count; i++) {
            hashes.add(r.readBytes(32, "leaf hash " + i));
          }
          consumed[0] = r.position();
          return r.readBytes(r.remaining(), "key origin");
        });
    KeyOrigin origin = FieldCodec.keyOrigin(value, consumed[0], where, field);
    return new TapBip32Derivation(key, hashes, origin);
  }

  static byte[] derivationValue(List<byte[]> leafHashes, KeyOrigin origin) {
    ByteWriter w = new ByteWriter();
    w.compactSize(leafHashes.size());
    for (byte[] hash : leafHashes) {
      if (hash.length != 32) {
        throw new IllegalArgumentException("a leaf hash is 32 bytes");
      }
      w.bytes(hash);
    }
    w.bytes(origin.toBytes());
    return w.toByteArray();
  }
}
