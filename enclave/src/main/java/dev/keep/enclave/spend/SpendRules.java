package dev.keep.enclave.spend;

import dev.keep.enclave.bitcoin.sighash.SighashType;
import dev.keep.enclave.keys.hd.DerivationPath;
import java.util.List;
import java.util.Set;

/**
 * What a spend must satisfy before the enclave analyses and signs it. {@link #STRICT} applies to
 * every key; a key's policy may only add {@code otherNetworkPaths}.
 *
 * @param requireNonWitnessUtxo every input that is not taproot must carry its full previous
 *     transaction. A segwit v0 signature commits only to its own input's amount, so a PSBT could
 *     lie about the other inputs' amounts and hide a fee (the 2020 "fee attack" on BIP-143);
 *     a legacy signature commits to no amount at all. A taproot signature commits to every
 *     input's amount and script (BIP-341 sha_amounts, sha_scriptpubkeys), so there a
 *     {@code witness_utxo} is enough.
 * @param allowedSighashTypes the hash types the enclave signs with. Anything but ALL / DEFAULT
 *     lets others change the transaction after it is signed, and the analysis would no longer
 *     describe what is spent, so the strict set is those two.
 * @param otherNetworkPaths path prefixes whose BIP-44 coin type is another network's that the key
 *     may still sign (a policy's {@code other_network_paths}); see {@link CoinTypes}
 */
public record SpendRules(
    boolean requireNonWitnessUtxo, Set<SighashType> allowedSighashTypes, List<DerivationPath> otherNetworkPaths) {
  public static final SpendRules STRICT =
      new SpendRules(true, Set.of(SighashType.DEFAULT, SighashType.ALL), List.of());

  public SpendRules {
    allowedSighashTypes = Set.copyOf(allowedSighashTypes);
    otherNetworkPaths = List.copyOf(otherNetworkPaths);
  }

  public SpendRules(boolean requireNonWitnessUtxo, Set<SighashType> allowedSighashTypes) {
    this(requireNonWitnessUtxo, allowedSighashTypes, List.of());
  }

  /** These rules, also allowing the paths a key's policy lists under another network's coin type. */
  public SpendRules withOtherNetworkPaths(List<DerivationPath> paths) {
    return new SpendRules(requireNonWitnessUtxo, allowedSighashTypes, paths);
  }
}
