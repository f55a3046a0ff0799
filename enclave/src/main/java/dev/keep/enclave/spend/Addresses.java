package dev.keep.enclave.spend;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.keys.Network;
import java.util.Optional;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.LegacyAddress;
import org.bitcoinj.base.SegwitAddress;

/**
 * Renders output scripts as addresses for one network, through bitcoinj (Base58Check for
 * P2PKH/P2SH; BIP-173 bech32 for witness v0, BIP-350 bech32m for v1 and later). Scripts with
 * no address form (OP_RETURN, non-standard) have none.
 */
public final class Addresses {
  private Addresses() {}

  public static Optional<String> render(Script script, Network network) {
    BitcoinNetwork net = bitcoinj(network);
    byte[] s = script.bytes();
    return switch (script.type()) {
      case P2PKH -> Optional.of(LegacyAddress.fromPubKeyHash(net, slice(s, 3, 20)).toString());
      case P2SH -> Optional.of(LegacyAddress.fromScriptHash(net, slice(s, 2, 20)).toString());
      case P2WPKH, P2WSH, P2TR, WITNESS_UNKNOWN ->
          Optional.of(SegwitAddress.fromProgram(net, script.witnessVersion(), script.witnessProgram()).toString());
      case OP_RETURN, NONSTANDARD -> Optional.empty();
    };
  }

  /** bitcoinj's network for {@code network}; testnet and signet addresses look the same. */
  public static BitcoinNetwork bitcoinj(Network network) {
    return switch (network) {
      case MAINNET -> BitcoinNetwork.MAINNET;
      case TESTNET -> BitcoinNetwork.TESTNET;
      case SIGNET -> BitcoinNetwork.SIGNET;
      case REGTEST -> BitcoinNetwork.REGTEST;
    };
  }

  private static byte[] slice(byte[] b, int from, int length) {
    byte[] out = new byte[length];
    System.arraycopy(b, from, out, 0, length);
    return out;
  }
}
