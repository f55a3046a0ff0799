package dev.keep.worker.jobs;

import dev.keep.schema.protocol.ErrorCode;
import dev.keep.schema.protocol.ResponseFrame;
import dev.keep.worker.sealing.KeySealer;
import dev.keep.worker.sealing.SealingFailure;

import dev.keep.schema.api.JobRequest;
import dev.keep.schema.api.JobRequestDecoder;
import dev.keep.schema.encoding.SchemaViolation;
import dev.keep.schema.tables.JobItemBudget;
import java.nio.charset.StandardCharsets;
import dev.keep.schema.api.JobResult;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.worker.enclave.EnclaveClient;
import dev.keep.worker.enclave.EnclaveUnavailableException;

/**
 * Turns a claimed job into an enclave request and the enclave's answer into an {@link Outcome}.
 * A transient failure (the enclave unreachable, or {@code INTERNAL}) is thrown, so the caller can
 * retry the job; everything else is terminal.
 */
public final class JobExecutor {
  /**
   * The stored kind of a dry run ({@code POST /v1/policy/evaluate}): its request is a job body,
   * which the enclave decides on without signing or charging.
   */
  public static final String POLICY_EVALUATE = JobRequest.POLICY_EVALUATE;

  private final EnclaveClient enclave;
  private final KeySealer sealer;

  /**
   * @param sealer stores what each signature sealed (the charged policy state) before the result
   *     is written, and unseals the keys again when the enclave has lost them (it restarted)
   */
  public JobExecutor(EnclaveClient enclave, KeySealer sealer) {
    this.enclave = enclave;
    this.sealer = sealer;
  }

  /** Thrown for failures worth another attempt. */
  public static final class TransientFailure extends Exception {
    private static final long serialVersionUID = 1L;

    TransientFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public Outcome execute(Job job) throws TransientFailure {
    EnclaveRequest request;
    try {
      request = toEnclaveRequest(job);
    } catch (SchemaViolation e) {
      // The API validated this body; if it no longer passes, no retry will make it pass.
      return new Outcome.Rejected("INVALID_REQUEST", "stored request is invalid: " + e.getMessage());
    }
    EnclaveResponse response;
    try {
      ResponseFrame frame = enclave.exchange(request);
      // The charge is durable before the signature is: a state that cannot be stored fails the attempt.
      sealer.persist(frame.sealed());
      response = frame.body();
    } catch (EnclaveUnavailableException e) {
      throw new TransientFailure(e.getMessage(), e);
    } catch (SealingFailure e) {
      throw new TransientFailure(e.getMessage(), e);
    }
    if (response instanceof EnclaveResponse.Error error && error.code() == ErrorCode.KEY_NOT_FOUND
        && sealer.recover(job.keyId())) {
      throw new TransientFailure("the enclave did not hold '" + job.keyId() + "' (it restarted); the keys were "
          + "unsealed into it again and the job will be retried", null);
    }
    return switch (response) {
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
