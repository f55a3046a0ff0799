package dev.keep.enclave.spend;

import dev.keep.enclave.keys.Network;
import dev.keep.enclave.keys.hd.DerivationPath;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The coin type a BIP-44-style path names must be the key's network's. BIP-44 §Path levels lays
 * paths out as {@code m / purpose' / coin_type' / account' / change / index}, and BIP-49, BIP-84
 * and BIP-86 keep that layout; SLIP-44 gives Bitcoin coin type 0 and every test network 1. A
 * testnet key asked to sign at {@code m/86'/0'/...} is being asked to sign a mainnet script: the
 * script is valid on mainnet, and the wallet that derived it treats it as real money.
 */
public final class CoinTypes {
  /** BIP-44, BIP-49 (P2SH-P2WPKH), BIP-84 (P2WPKH), BIP-86 (P2TR key path). */
  static final Set<Integer> PURPOSES = Set.of(44, 49, 84, 86);

  private CoinTypes() {}

  /**
   * Why {@code path} may not be signed with a key of {@code network}, or empty when it may: its
   * purpose is not one of the four, its coin type is the network's, or one of {@code allowed}
   * (paths a policy lists explicitly) is a prefix of it.
   */
  public static Optional<String> refusal(DerivationPath path, Network network, List<DerivationPath> allowed) {
    List<Integer> steps = path.childNumbers();
    if (steps.size() < 2 || !DerivationPath.isHardened(steps.get(0)) || !DerivationPath.isHardened(steps.get(1))) {
      return Optional.empty();
    }
    int purpose = steps.get(0) & ~DerivationPath.HARDENED_BIT;
    int coinType = steps.get(1) & ~DerivationPath.HARDENED_BIT;
    if (!PURPOSES.contains(purpose) || coinType == network.coinType()) {
      return Optional.empty();
    }
    for (DerivationPath prefix : allowed) {
      if (isPrefix(prefix, path)) {
        return Optional.empty();
      }
    }
    return Optional.of("path " + path + " names coin type " + coinType + "' under BIP-" + purpose + ", but the key is a "
        + network.wireName() + " key (coin type " + network.coinType() + "'); a key signs only its own network's"
        + " paths unless its policy lists the path in other_network_paths");
  }

  private static boolean isPrefix(DerivationPath prefix, DerivationPath path) {
    List<Integer> p = prefix.childNumbers();
    List<Integer> q = path.childNumbers();
    return p.size() <= q.size() && q.subList(0, p.size()).equals(p);
  }
}
