package dev.keep.enclave.spend;

import dev.keep.enclave.bitcoin.sighash.SighashType;
import java.util.Set;

/**
 * What a spend must satisfy before the enclave analyses and signs it. Until the policy engine
 * supplies per-key rules, {@link #STRICT} applies to every key.
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
 */
public record SpendRules(boolean requireNonWitnessUtxo, Set<SighashType> allowedSighashTypes) {
  public static final SpendRules STRICT =
      new SpendRules(true, Set.of(SighashType.DEFAULT, SighashType.ALL));

  public SpendRules {
    allowedSighashTypes = Set.copyOf(allowedSighashTypes);
  }
}
