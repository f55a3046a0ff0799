package dev.keep.schema.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * One request on the wire: protocol version, a request id the response echoes, and the body.
 */
public record RequestFrame(
    @JsonProperty("v") int version, @JsonProperty("id") String requestId, EnclaveRequest body) {
  public RequestFrame {
    Objects.requireNonNull(requestId, "id");
    Objects.requireNonNull(body, "body");
  }

  public static RequestFrame of(String requestId, EnclaveRequest body) {
    return new RequestFrame(ProtocolCodec.VERSION, requestId, body);
  }
}
