package dev.keep.enclave.server;

import dev.keep.enclave.psbt.PsbtInput;
import dev.keep.enclave.psbt.sign.PsbtSigner;
import dev.keep.enclave.spend.SpendAnalysis;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.FrameCodec;
import dev.keep.schema.protocol.ProtocolCodec;
import dev.keep.schema.protocol.PsbtReport;
import dev.keep.schema.protocol.ResponseFrame;

/**
 * An upper bound on the size of a {@code sign_psbt} answer, worked out before anything is signed,
 * so that a PSBT whose answer could not be delivered (over the 4 MiB frame) or stored (over the
 * job's share of a DynamoDB item) is refused without a signature and without a charge.
 *
 * <p>The answer is the report, which is known before signing (the analysis and what will be done
 * with each input), plus the signed PSBT and, when finalising, the extracted transaction. So the
 * report is encoded as it will be sent, and only the two signed parts are bounded:
 *
 * <ul>
 *   <li>each input this key signs grows the PSBT by at most {@link #SIGNATURE_GROWTH} bytes: an
 *       ECDSA partial signature is a 35-byte key and a value of at most 1+72+1 (BIP-174
 *       PSBT_IN_PARTIAL_SIG), a taproot key signature 2+1+65; finalising adds at most
 *       {@link #FINAL_GROWTH} more (a P2SH-P2WPKH scriptSig of 23 bytes and a P2WPKH witness of
 *       1+1+73+1+33, with their keys and lengths);
 *   <li>the extracted transaction is the unsigned one, the segwit marker and flag, and every
 *       input's scriptSig and witness: those the PSBT already holds, and those the signer adds.
 * </ul>
 *
 * {@code PsbtGuardsTest} signs PSBTs of many shapes and checks the real answer never exceeds it.
 */
final class PsbtAnswerBound {
  static final long SIGNATURE_GROWTH = 112;
  static final long FINAL_GROWTH = 160;
  /** A txid in the summary (absent in the estimate's placeholder) and larger counts. */
  static final long SUMMARY_SLACK = 256;
  /** What the response frame needs beside the answer: the sealed policy state and the envelope. */
  static final long FRAME_RESERVE = 64 * 1024;
  /** The most a {@code sign_psbt} answer may take when the request names no smaller budget. */
  static final long FRAME_BUDGET = FrameCodec.DEFAULT_MAX_FRAME_BYTES - FRAME_RESERVE;

  private PsbtAnswerBound() {}

  static long of(EnclaveRequest.SignPsbt request, PsbtSigner.Prepared prepared, boolean hd) {
    SpendAnalysis analysis = prepared.analysis();
    // The answer with both signed parts empty: everything else is exactly as it will be sent.
    EnclaveResponse.PsbtSigned skeleton = new EnclaveResponse.PsbtSigned(
        request.jobId(), request.keyId(), analysis.network().wireName(), "", false, null,
        new PsbtReport.Summary(analysis.psbtVersion(), null, analysis.inputTotal(), analysis.outputTotal(),
            analysis.fee(), analysis.vsize(), Math.round(analysis.feeRate() * 100) / 100.0,
            analysis.externalTotal(), analysis.changeTotal(), prepared.signingCount()),
        PsbtRequests.inputs(analysis, prepared.plannedResults(), hd),
        PsbtRequests.outputs(analysis, hd));
    long report = ProtocolCodec.encode(ResponseFrame.of("", skeleton)).length + SUMMARY_SLACK;

    int signing = prepared.signingCount();
    long growth = signing * (SIGNATURE_GROWTH + (request.finalizeInputs() ? FINAL_GROWTH : 0));
    long psbtBytes = (long) request.psbt().length() / 4 * 3;
    long signedPsbt = base64Length(psbtBytes + growth);
    long transaction = 0;
    if (request.finalizeInputs()) {
      long finals = 0;
      for (PsbtInput in : prepared.psbt().inputs()) {
        finals += in.finalScriptSig().map(s -> (long) s.length() + 9).orElse(0L);
        finals += in.finalScriptWitness().map(w -> w.stream().mapToLong(item -> item.length + 9L).sum() + 9).orElse(0L);
      }
      long unsigned = analysis.unsignedTx().serializeWithoutWitness().length;
      transaction = 2 * (unsigned + 2 + finals + signing * FINAL_GROWTH);
    }
    return report + signedPsbt + transaction;
  }

  private static long base64Length(long bytes) {
    return 4 * ((bytes + 2) / 3);
  }
}
