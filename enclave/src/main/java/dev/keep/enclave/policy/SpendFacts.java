package dev.keep.enclave.policy;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.spend.SpendAnalysis;
import dev.keep.enclave.spend.SpendAnalysis.AnalysedOutput;
import java.util.ArrayList;
import java.util.List;

/**
 * What a PSBT spends, as the policy sees it. Every output that is not verified change is external:
 * OP_RETURN, non-standard scripts and change the enclave could not rebuild from its own key
 * included.
 *
 * @param externalTotal the sum of the external outputs, in sats
 * @param fee inputs minus outputs, in sats
 * @param vsize the signed transaction's virtual size, in vB (at least 1)
 * @param externalScripts the external outputs' scripts, in output order
 */
public record SpendFacts(long externalTotal, long fee, long vsize, List<Script> externalScripts) {
  public SpendFacts {
    if (externalTotal < 0 || fee < 0) {
      throw new IllegalArgumentException("amounts must not be negative");
    }
    if (vsize < 1) {
      throw new IllegalArgumentException("vsize must be at least 1 vB");
    }
    externalScripts = List.copyOf(externalScripts);
    if (externalScripts.isEmpty() && externalTotal != 0) {
      throw new IllegalArgumentException("an external total needs external outputs");
    }
  }

  /**
   * From the enclave's analysis. The external total is summed here from the outputs rather than
   * taken from the analysis, so that the one test, "is it verified change", decides both.
   */
  public static SpendFacts from(SpendAnalysis analysis) {
    long total = 0;
    List<Script> external = new ArrayList<>();
    for (AnalysedOutput out : analysis.outputs()) {
      if (out.change().isEmpty()) {
        total = Math.addExact(total, out.output().amount());
        external.add(out.output().scriptPubKey());
      }
    }
    return new SpendFacts(total, analysis.fee(), analysis.vsize(), external);
  }

  /** True when every output is verified change: nothing leaves, but the fee is still paid. */
  public boolean allOutputsChange() {
    return externalScripts.isEmpty();
  }
}
