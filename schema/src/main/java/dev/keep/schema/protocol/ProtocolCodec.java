package dev.keep.schema.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.keep.schema.encoding.Json;

/**
 * The message encoding inside a frame: UTF-8 JSON of {@link RequestFrame} and {@link
 * ResponseFrame}. Decoding is strict: unknown fields, a wrong version, a missing body or a field
 * that breaks a record's invariant are all {@link ProtocolException}s naming the field.
 */
public final class ProtocolCodec {
  /** The protocol version this build speaks. A frame with another version is refused. */
  public static final int VERSION = 1;

  private static final ObjectMapper MAPPER =
      Json.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .build();

  private ProtocolCodec() {}

  public static byte[] encode(RequestFrame frame) {
    return write(frame);
  }

  public static byte[] encode(ResponseFrame frame) {
    return write(frame);
  }

  public static RequestFrame decodeRequest(byte[] payload) throws ProtocolException {
    RequestFrame frame = read(payload, RequestFrame.class);
    checkVersion(frame.version());
    return frame;
  }

  public static ResponseFrame decodeResponse(byte[] payload) throws ProtocolException {
    ResponseFrame frame = read(payload, ResponseFrame.class);
    checkVersion(frame.version());
    return frame;
  }

  private static void checkVersion(int version) throws ProtocolException {
    if (version != VERSION) {
      throw new ProtocolException("v: protocol version " + version + " is not " + VERSION);
    }
  }

  private static byte[] write(Object frame) {
    try {
      return MAPPER.writeValueAsBytes(frame);
    } catch (JsonProcessingException e) {
      // Every wire type is a plain record; failing to serialise one is a bug, not bad input.
      throw new IllegalStateException("cannot encode " + frame.getClass().getSimpleName(), e);
    }
  }

  private static <T> T read(byte[] payload, Class<T> type) throws ProtocolException {
    try {
      return MAPPER.readValue(payload, type);
    } catch (ValueInstantiationException e) {
      // A record's compact constructor refused a field; its message names the field and rule.
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new ProtocolException(cause.getMessage(), e);
    } catch (java.io.IOException e) {
      throw new ProtocolException(describe(e), e);
    }
  }

  private static String describe(java.io.IOException e) {
    if (e instanceof JsonProcessingException jpe) {
      String original = jpe.getOriginalMessage();
      String path =
          jpe instanceof com.fasterxml.jackson.databind.JsonMappingException jme
              ? jme.getPathReference()
              : null;
      return path == null || path.isEmpty() ? original : path + ": " + original;
    }
    return "unreadable message: " + e.getClass().getSimpleName();
  }
}
