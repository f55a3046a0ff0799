package dev.keep.enclave.bitcoin.script;

/** The output script templates Keep recognises. Anything else is {@link #NONSTANDARD}. */
public enum ScriptType {
  /** OP_DUP OP_HASH160 &lt;20&gt; OP_EQUALVERIFY OP_CHECKSIG. */
  P2PKH,
  /** OP_HASH160 &lt;20&gt; OP_EQUAL (BIP-16). */
  P2SH,
  /** OP_0 &lt;20&gt; (BIP-141). */
  P2WPKH,
  /** OP_0 &lt;32&gt; (BIP-141). */
  P2WSH,
  /** OP_1 &lt;32&gt; (BIP-341). */
  P2TR,
  /** A witness program of another version or length (BIP-141 §Witness program), not yet defined. */
  WITNESS_UNKNOWN,
  /** OP_RETURN ...: provably unspendable data carrier. */
  OP_RETURN,
  NONSTANDARD
}
