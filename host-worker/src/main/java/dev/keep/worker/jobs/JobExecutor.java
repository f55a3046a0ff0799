package dev.keep.worker.jobs;

import dev.keep.schema.api.JobRequest;
import dev.keep.schema.audit.SignedReceipt;
import dev.keep.schema.api.JobRequestDecoder;
import dev.keep.schema.api.JobResult;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.encoding.SchemaViolation;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.ErrorCode;
import dev.keep.schema.protocol.ResponseFrame;
import dev.keep.schema.protocol.SealedBlob;
import dev.keep.schema.tables.JobItemBudget;
import dev.keep.worker.enclave.EnclaveClient;
import dev.keep.worker.enclave.EnclaveUnavailableException;
import java.nio.charset.StandardCharsets;

/**
 * Decides one claimed job in the enclave, on the key state the caller presents, and turns the
 * answer into an {@link Outcome} with the new state it charged. Nothing is stored here: {@link
 * KeyLanes} stores outcomes and states together, so a charge is durable exactly when its result is.
 * A transient failure (the enclave unreachable, or {@code INTERNAL}) is thrown, so the job can be
 * retried; everything else is an outcome.
 */
public final class JobExecutor {
  /**
   * The stored kind of a dry run ({@code POST /v1/policy/evaluate}): its request is a job body,
   * which the enclave decides on without signing or charging.
   */
  public static final String POLICY_EVALUATE = JobRequest.POLICY_EVALUATE;

  private final EnclaveClient enclave;

  public JobExecutor(EnclaveClient enclave) {
    this.enclave = enclave;
  }

  /** Thrown for failures worth another attempt. */
  public static final class TransientFailure extends Exception {
    private static final long serialVersionUID = 1L;

    TransientFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The enclave holds no such key: it restarted, or this host has not unsealed it yet. */
  public static final class KeyMissing extends Exception {
    private static final long serialVersionUID = 1L;

    KeyMissing(String message) {
      super(message);
    }
  }

  /**
   * A decision: the job's outcome, the key's new state when the decision charged it (null when it
   * did not), and the enclave's signed receipt of it (null when the enclave made no decision).
   */
  public record Decided(Outcome outcome, SealedBlob next, SignedReceipt receipt) {
    public Decided(Outcome outcome, SealedBlob next) {
      this(outcome, next, null);
    }
  }

  /**
   * Decides {@code job} on {@code state}, the key's stored state (null when the key has none).
   */
  public Decided decide(Job job, SealedBlob state) throws TransientFailure, KeyMissing {
    EnclaveRequest request;
    try {
      request = toEnclaveRequest(job);
    } catch (SchemaViolation e) {
      // The API validated this body; if it no longer passes, no retry will make it pass.
      return new Decided(new Outcome.Rejected("INVALID_REQUEST", "stored request is invalid: " + e.getMessage()), null,
          null);
    }
    ResponseFrame frame;
    try {
      frame = enclave.exchange(request, state);
    } catch (EnclaveUnavailableException e) {
      throw new TransientFailure(e.getMessage(), e);
    }
    SealedBlob next = frame.sealed().stream().filter(b -> b.kind().equals(SealedBlob.STATE)).reduce((a, b) -> b)
        .orElse(null);
    EnclaveResponse response = frame.body();
    if (response instanceof EnclaveResponse.Error error && error.code() == ErrorCode.KEY_NOT_FOUND) {
      throw new KeyMissing(error.message());
    }
    Outcome outcome = switch (response) {
      case EnclaveResponse.SchnorrSigned s ->
          signed(new JobResult.Schnorr(s.signature(), s.publicKey(), s.path()));
      case EnclaveResponse.EcdsaSigned s ->
          signed(new JobResult.Ecdsa(s.signature(), s.der(), s.recoveryId(), s.digest(), s.publicKey(), s.path()));
      case EnclaveResponse.EventSigned s -> signed(new JobResult.SignedEvent(s.event()));
      case EnclaveResponse.PsbtSigned s ->
          signed(
              new JobResult.SignedPsbt(
                  s.psbt(), s.network(), s.complete(), s.transaction(), s.summary(), s.inputs(), s.outputs()));
      case EnclaveResponse.PolicyDecision d when job.kind().equals(POLICY_EVALUATE) ->
          new Outcome.Evaluated(
              Json.write(new JobResult.PolicyEvaluation(d.allowed(), d.ruleId(), d.reason(), d.policyVersion(),
                  d.policyHash(), d.approvalDigest(), d.trace())),
              d.allowed(), d.ruleId());
      case EnclaveResponse.Error error when error.code().isTerminalForJob() ->
          new Outcome.Rejected(error.code().name(), error.message());
      case EnclaveResponse.Error error ->
          throw new TransientFailure("enclave: " + error.code() + ": " + error.message(), null);
      default ->
          throw new TransientFailure(
              "enclave answered a " + job.kind() + " job with " + response.getClass().getSimpleName(), null);
    };
    // Only a signature charges; a state with any other answer would be a bug, and is not stored.
    return new Decided(outcome, outcome instanceof Outcome.Signed ? next : null, frame.receipt());
  }

  private static Outcome signed(JobResult result) {
    return new Outcome.Signed(Json.write(result));
  }

  /**
   * The stored body, read as the API read it. A PSBT's answer is given what the job's item has left
   * for the result, so the enclave refuses, unsigned and uncharged, one whose answer could not be
   * stored.
   */
  private static EnclaveRequest toEnclaveRequest(Job job) throws SchemaViolation {
    JobRequest request = JobRequestDecoder.decode(job.requestJson());
    EnclaveRequest.SignRequest sign;
    try {
      sign = request.toSignRequest(job.jobId());
    } catch (IllegalArgumentException e) {
      throw new SchemaViolation("", e.getMessage());
    }
    if (sign instanceof EnclaveRequest.SignPsbt psbt) {
      sign = psbt.withMaxAnswerBytes(
          JobItemBudget.resultBudget(job.requestJson().getBytes(StandardCharsets.UTF_8).length));
    }
    return job.kind().equals(POLICY_EVALUATE) ? new EnclaveRequest.EvaluatePolicy(sign) : sign;
  }
}
