package dev.keep.schema.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.keep.schema.audit.SignedReceipt;
import java.util.List;
import java.util.Objects;

/**
 * One response on the wire. {@code requestId} is the id of the request it answers. {@code sealed}
 * holds what the request changed that must outlive the enclave (a new key, a disabled key, a policy,
 * a charged counter), sealed by the enclave; the host stores it before it acts on {@code body}.
 *
 * <p>{@code receipt}, on an answer to a job, is the enclave's signed audit receipt of its decision
 * (issue 19); the host stores it with the job's terminal state. It is null on other answers.
 */
public record ResponseFrame(
    @JsonProperty("v") int version, @JsonProperty("id") String requestId, EnclaveResponse body,
    List<SealedBlob> sealed, SignedReceipt receipt) {
  public ResponseFrame {
    Objects.requireNonNull(requestId, "id");
    Objects.requireNonNull(body, "body");
    sealed = sealed == null ? List.of() : List.copyOf(sealed);
  }

  public static ResponseFrame of(String requestId, EnclaveResponse body) {
    return new ResponseFrame(ProtocolCodec.VERSION, requestId, body, List.of(), null);
  }

  public static ResponseFrame of(String requestId, EnclaveResponse body, List<SealedBlob> sealed) {
    return new ResponseFrame(ProtocolCodec.VERSION, requestId, body, sealed, null);
  }

  /** The same frame with the audit receipt of its decision. */
  public ResponseFrame withReceipt(SignedReceipt issued) {
    return new ResponseFrame(version, requestId, body, sealed, issued);
  }
}
