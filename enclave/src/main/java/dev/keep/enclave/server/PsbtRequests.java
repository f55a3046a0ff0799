package dev.keep.enclave.server;

import dev.keep.enclave.bitcoin.script.ScriptType;
import dev.keep.enclave.bitcoin.tx.Txid;
import dev.keep.enclave.keys.KeyStore;
import dev.keep.enclave.keys.KeyType;
import dev.keep.enclave.keys.Network;
import dev.keep.enclave.keys.hd.DerivationPath;
import dev.keep.enclave.psbt.Psbt;
import dev.keep.enclave.psbt.PsbtException;
import dev.keep.enclave.psbt.sign.InputResult;
import dev.keep.enclave.psbt.sign.PsbtSigner;
import dev.keep.enclave.psbt.sign.SignOutcome;
import dev.keep.enclave.signing.Signer;
import dev.keep.enclave.policy.ApprovalDigests;
import dev.keep.enclave.policy.JobFacts;
import dev.keep.enclave.policy.SpendFacts;
import dev.keep.enclave.spend.Addresses;
import dev.keep.enclave.spend.Ownership;
import dev.keep.enclave.spend.SpendAnalysis;
import dev.keep.enclave.spend.SpendException;
import dev.keep.enclave.spend.SpendRules;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.ErrorCode;
import dev.keep.schema.protocol.PsbtReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code sign_psbt}: parse strictly, check the network, analyse, sign this key's inputs, and
 * report. The network in the request must be the key's own; the enclave never renders a key's
 * addresses for another network.
 */
final class PsbtRequests {
  private final KeyRequests keys;
  private final PsbtSigner signer;
  private final PolicyRequests policies;

  PsbtRequests(KeyRequests keys, Signer signer, PolicyRequests policies) {
    this.keys = keys;
    this.signer = new PsbtSigner(signer);
    this.policies = policies;
  }

  /** Analyses the PSBT as signing would, and decides it under the key's policy without signing. */
  EnclaveResponse dryRun(EnclaveRequest.SignPsbt request) throws Refused {
    KeyStore.Entry entry = keys.find(request.keyId());
    try (PsbtSigner.Prepared prepared = prepare(entry, request)) {
      return policies.dryRun(entry.keyId(), facts(request, prepared.analysis()));
    }
  }

  private JobFacts facts(EnclaveRequest.SignPsbt request, SpendAnalysis analysis) throws Refused {
    return JobFacts.psbt(request.jobId(), SpendFacts.from(analysis),
        ApprovalDigests.psbt(request.keyId(), analysis.unsignedTx().serializeWithoutWitness()), policies.now())
        .withApprovals(PolicyRequests.approvals(request));
  }

  private PsbtSigner.Prepared prepare(KeyStore.Entry entry, EnclaveRequest.SignPsbt request) throws Refused {
    Network network = entry.config().network();
    if (!network.wireName().equals(request.network())) {
      throw new Refused(ErrorCode.INVALID_REQUEST,
          "network: the request says " + request.network() + " but key '" + entry.keyId() + "' is a "
              + network.wireName() + " key; the enclave does not relabel a key's addresses for another network");
    }
    Psbt psbt;
    try {
      psbt = Psbt.decodeBase64(request.psbt());
    } catch (PsbtException e) {
      throw new Refused(ErrorCode.INVALID_REQUEST, "psbt: " + e.getMessage());
    }
    SpendRules rules = SpendRules.STRICT.withOtherNetworkPaths(policies.otherNetworkPaths(entry.keyId()));
    try {
      return signer.prepare(psbt, entry.material(), network, rules);
    } catch (SpendException e) {
      throw refused(e);
    }
  }

  /**
   * Refuses, before anything is signed or charged, a PSBT whose answer could exceed what it may
   * take: the request's budget (what its job's item has left) or a frame.
   */
  private static void checkAnswerFits(EnclaveRequest.SignPsbt request, PsbtSigner.Prepared prepared, boolean hd)
      throws Refused {
    long budget = request.maxAnswerBytes() == null
        ? PsbtAnswerBound.FRAME_BUDGET
        : Math.min(request.maxAnswerBytes(), PsbtAnswerBound.FRAME_BUDGET);
    long bound = PsbtAnswerBound.of(request, prepared, hd);
    if (bound > budget) {
      throw new Refused(ErrorCode.RESULT_TOO_LARGE, "psbt: the signed answer for " + prepared.psbt().inputs().size()
          + " inputs and " + prepared.psbt().outputs().size() + " outputs could take " + bound + " bytes, over the "
          + budget + " bytes it may take (" + (request.maxAnswerBytes() == null ? "a 4 MiB frame"
          : "what the job's stored result may take") + "); nothing was signed or charged. Split the PSBT"
          + (request.maxAnswerBytes() == null ? "" : ", or sign it with keep enclave sign-psbt"));
    }
  }

  private static Refused refused(SpendException e) {
    return new Refused(
        e.kind() == SpendException.Kind.DENIED ? ErrorCode.POLICY_DENIED : ErrorCode.INVALID_REQUEST,
        "psbt: " + e.getMessage());
  }

  EnclaveResponse sign(EnclaveRequest.SignPsbt request) throws Refused {
    KeyStore.Entry entry = keys.usable(request.keyId());
    SignOutcome outcome;
    try (PsbtSigner.Prepared prepared = prepare(entry, request)) {
      checkAnswerFits(request, prepared, entry.config().type() == KeyType.HD);
      policies.allow(entry.keyId(), facts(request, prepared.analysis()));
      outcome = prepared.sign(request.finalizeInputs());
    } catch (SpendException e) {
      throw refused(e);
    }
    return answer(request, entry, outcome);
  }

  private static EnclaveResponse answer(EnclaveRequest.SignPsbt request, KeyStore.Entry entry, SignOutcome outcome) {
    Network network = entry.config().network();
    boolean hd = entry.config().type() == KeyType.HD;
    return new EnclaveResponse.PsbtSigned(
        request.jobId(),
        entry.keyId(),
        network.wireName(),
        outcome.psbt().toBase64(),
        outcome.complete(),
        outcome.extracted().map(tx -> Hex.encode(tx.serialize())).orElse(null),
        summary(outcome),
        inputs(outcome.analysis(), outcome.inputs(), hd),
        outputs(outcome.analysis(), hd));
  }

  private static PsbtReport.Summary summary(SignOutcome outcome) {
    SpendAnalysis a = outcome.analysis();
    Optional<Txid> txid = outcome.extracted().map(tx -> tx.txid()).or(a::stableTxid);
    return new PsbtReport.Summary(
        a.psbtVersion(),
        txid.map(Txid::toDisplayHex).orElse(null),
        a.inputTotal(),
        a.outputTotal(),
        a.fee(),
        a.vsize(),
        Math.round(a.feeRate() * 100) / 100.0,
        a.externalTotal(),
        a.changeTotal(),
        outcome.signedCount());
  }

  static List<PsbtReport.Input> inputs(SpendAnalysis a, List<InputResult> results, boolean hd) {
    List<PsbtReport.Input> out = new ArrayList<>(a.inputs().size());
    for (SpendAnalysis.SpentInput in : a.inputs()) {
      InputResult r = results.get(in.index());
      out.add(new PsbtReport.Input(
          in.index(),
          in.outpoint().toString(),
          in.spent().amount(),
          scriptType(in.spent().scriptPubKey().type()),
          Addresses.render(in.spent().scriptPubKey(), a.network()).orElse(null),
          in.source().wireName(),
          r.signed(),
          r.sighash().map(Object::toString).orElse(null),
          hd ? r.path().map(DerivationPath::toString).orElse(null) : null,
          r.reason()));
    }
    return out;
  }

  static List<PsbtReport.Output> outputs(SpendAnalysis a, boolean hd) {
    List<PsbtReport.Output> out = new ArrayList<>(a.outputs().size());
    for (SpendAnalysis.AnalysedOutput o : a.outputs()) {
      out.add(new PsbtReport.Output(
          o.index(),
          o.output().amount(),
          scriptType(o.output().scriptPubKey().type()),
          o.output().scriptPubKey().toHex(),
          o.address().orElse(null),
          o.change().isPresent(),
          hd ? o.change().map(Ownership::path).map(DerivationPath::toString).orElse(null) : null));
    }
    return out;
  }

  static String scriptType(ScriptType type) {
    return type.name().toLowerCase(Locale.ROOT);
  }
}
