package dev.keep.schema.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/** One response on the wire. {@code requestId} is the id of the request it answers. */
public record ResponseFrame(
    @JsonProperty("v") int version, @JsonProperty("id") String requestId, EnclaveResponse body) {
  public ResponseFrame {
    Objects.requireNonNull(requestId, "id");
    Objects.requireNonNull(body, "body");
  }

  public static ResponseFrame of(String requestId, EnclaveResponse body) {
    return new ResponseFrame(ProtocolCodec.VERSION, requestId, body);
  }
}
