package dev.keep.worker.jobs;

import dev.keep.schema.api.JobRequest;
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

  public Outcome execute(Job job) throws TransientFailure {
    EnclaveRequest request;
    try {
      request = toEnclaveRequest(job);
    } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
      // The API validated this body; if it no longer parses, no retry will make it parse.
      return new Outcome.Rejected("INVALID_REQUEST", "stored request is invalid: " + e.getMessage());
    }
    EnclaveResponse response;
    try {
      response = enclave.call(request);
    } catch (EnclaveUnavailableException e) {
      throw new TransientFailure(e.getMessage(), e);
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

  private static EnclaveRequest toEnclaveRequest(Job job)
      throws com.fasterxml.jackson.core.JsonProcessingException {
    JobRequest request = Json.MAPPER.readValue(job.requestJson(), JobRequest.class);
    return switch (request) {
      case JobRequest.Message m ->
          new EnclaveRequest.SignMessage(job.jobId(), m.keyId(), m.message(), m.scheme(), m.path());
      case JobRequest.NostrEvent e -> new EnclaveRequest.SignEvent(job.jobId(), e.keyId(), e.event(), e.path());
      case JobRequest.Digest d ->
          new EnclaveRequest.SignDigest(job.jobId(), d.keyId(), d.digest(), d.scheme(), d.path());
      case JobRequest.Psbt p ->
          new EnclaveRequest.SignPsbt(
              job.jobId(), p.keyId(), p.psbt(), p.network(), Boolean.TRUE.equals(p.finalizeInputs()));
    };
  }
}
