package dev.keep.schema.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * One request on the wire: protocol version, a request id the response echoes, the body, and,
 * for a request about one key, optionally the key's {@code state} as the host last stored it.
 *
 * <p>The state is how several enclaves share one key's limits. The host presents the latest state
 * it knows to be stored; the enclave decides on exactly that state (adopting it when it differs
 * from its own), and the new state it seals comes back with the answer. The host stores the new
 * state only if the stored one is still the state it presented, in the same write as the job's
 * result; otherwise it presents the newer state and the job is decided again.
 */
public record RequestFrame(
    @JsonProperty("v") int version, @JsonProperty("id") String requestId, EnclaveRequest body, SealedBlob state) {
  public RequestFrame {
    Objects.requireNonNull(requestId, "id");
    Objects.requireNonNull(body, "body");
    if (state != null && !SealedBlob.STATE.equals(state.kind())) {
      throw new IllegalArgumentException("state.kind: must be state");
    }
  }

  public static RequestFrame of(String requestId, EnclaveRequest body) {
    return new RequestFrame(ProtocolCodec.VERSION, requestId, body, null);
  }

  public static RequestFrame of(String requestId, EnclaveRequest body, SealedBlob state) {
    return new RequestFrame(ProtocolCodec.VERSION, requestId, body, state);
  }
}
