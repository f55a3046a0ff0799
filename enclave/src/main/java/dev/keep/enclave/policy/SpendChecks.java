package dev.keep.enclave.policy;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.keys.Network;
import dev.keep.enclave.spend.Addresses;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The checks on what a PSBT pays: amount, fee, destinations. Other jobs pay nothing: n/a. */
final class SpendChecks {
  private SpendChecks() {}

  static Check maxAmount(Rule.MaxAmount rule, SpendFacts spend) {
    long sent = spend.externalTotal();
    boolean over = sent > rule.sats();
    return Check.of(
        !over, Text.format("max_amount: %,d sats %s %,d", sent, over ? ">" : "<=", rule.sats()));
  }

  /**
   * The fee, and the fee rate compared exactly as a fraction, with no rounding that could let 100.4
   * sat/vB pass a limit of 100 (and no product that could overflow). The rate printed is rounded up
   * to two decimals, so a rate over the limit never prints as equal to it. This applies when every
   * output is change, too: the fee still leaves.
   */
  static Check maxFee(Rule.MaxFee rule, SpendFacts spend) {
    long fee = spend.fee();
    long vsize = spend.vsize();
    if (rule.sats().isPresent() && fee > rule.sats().getAsLong()) {
      return Check.deny(Text.format("max_fee: fee %,d sats > %,d", fee, rule.sats().getAsLong()));
    }
    String rate = rate(fee, vsize);
    if (rule.satPerVb().isPresent() && rateAbove(fee, vsize, rule.satPerVb().getAsLong())) {
      return Check.deny(
          Text.format(
              "max_fee: %s sat/vB (%,d sats / %,d vB) > %,d",
              rate, fee, vsize, rule.satPerVb().getAsLong()));
    }
    StringBuilder detail = new StringBuilder(Text.format("max_fee: fee %,d sats", fee));
    rule.sats().ifPresent(max -> detail.append(Text.format(" <= %,d", max)));
    detail.append(", ").append(rate).append(" sat/vB");
    rule.satPerVb().ifPresent(max -> detail.append(Text.format(" <= %,d", max)));
    return Check.allow(detail.toString());
  }

  /**
   * fee / vsize > satPerVb in integers: with fee = q × vsize + r, q > satPerVb or q = satPerVb, r >
   * 0.
   */
  static boolean rateAbove(long fee, long vsize, long satPerVb) {
    long q = fee / vsize;
    return q > satPerVb || (q == satPerVb && fee % vsize != 0);
  }

  private static String rate(long fee, long vsize) {
    return BigDecimal.valueOf(fee)
        .divide(BigDecimal.valueOf(vsize), 2, RoundingMode.CEILING)
        .toPlainString();
  }

  /** Every external output must pay a listed script; OP_RETURN and unknown scripts never are. */
  static Check allowDestinations(Rule.AllowDestinations rule, SpendFacts spend, Network network) {
    if (spend.allOutputsChange()) {
      return Check.allow("allow_destinations: no external outputs");
    }
    Set<Script> allowed = scripts(rule.destinations());
    for (Script script : spend.externalScripts()) {
      if (!allowed.contains(script)) {
        return Check.deny(
            "allow_destinations: " + describe(script, network) + " is not on the list");
      }
    }
    return Check.allow(
        "allow_destinations: every external output ("
            + spend.externalScripts().size()
            + ") is on the list");
  }

  static Check denyDestinations(Rule.DenyDestinations rule, SpendFacts spend, Network network) {
    Set<Script> denied = scripts(rule.destinations());
    for (Script script : spend.externalScripts()) {
      if (denied.contains(script)) {
        return Check.deny("deny_destinations: " + describe(script, network) + " is on the list");
      }
    }
    return Check.allow("deny_destinations: no external output is on the list");
  }

  private static Set<Script> scripts(List<Destination> destinations) {
    Set<Script> scripts = new HashSet<>();
    destinations.forEach(d -> scripts.add(d.script()));
    return scripts;
  }

  /** The address on the key's network, or the script (its first 40 bytes) when it has none. */
  static String describe(Script script, Network network) {
    return Addresses.render(script, network)
        .orElseGet(
            () -> {
              String hex = script.toHex();
              String shown = hex.length() > 80 ? hex.substring(0, 80) + "..." : hex;
              int n = script.length();
              return "script "
                  + shown
                  + " ("
                  + script.type().name()
                  + ", "
                  + n
                  + (n == 1 ? " byte)" : " bytes)");
            });
  }
}
