package dev.keep.enclave.bitcoin.sighash;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.script.ScriptType;

/** The scriptCode that BIP-143 signs for the standard witness program types. */
public final class ScriptCodes {
  private ScriptCodes() {}

  /**
   * BIP-143 §Specification, item 5: "For P2WPKH witness program, the scriptCode is
   * {@code 0x1976a914{20-byte-pubkey-hash}88ac}", that is the P2PKH script of the same key hash;
   * the leading 0x19 is its length, which serialisation writes.
   *
   * @param pubKeyHash HASH160 of the compressed public key: the P2WPKH witness program
   */
  public static Script p2wpkh(byte[] pubKeyHash) {
    return Script.p2pkh(pubKeyHash);
  }

  /** As {@link #p2wpkh(byte[])}, from the P2WPKH scriptPubKey ({@code OP_0 <20 bytes>}) itself. */
  public static Script p2wpkh(Script scriptPubKey) {
    if (scriptPubKey.type() != ScriptType.P2WPKH) {
      throw new IllegalArgumentException("scriptPubKey is " + scriptPubKey.type() + ", not P2WPKH");
    }
    return Script.p2pkh(scriptPubKey.witnessProgram());
  }
}
