package dev.keep.enclave.nsm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * An NSM in software for tests. It parses each request the way the NSM does (serde's externally
 * tagged enums) and answers GetRandom with a counting pattern (1, 2, 3, ... wrapping past 255 to 1,
 * never 0, so a wiped array is told apart), Attestation with a stand-in document that echoes the
 * three inputs, and anything else with {@code {"Error": "InvalidArgument"}}. Scripted replies can
 * be queued to override the next answers.
 *
 * <p>Its encoder is written independently of {@link NsmCodec}, so a mistake there is not mirrored
 * here.
 */
final class SoftwareNsm implements NsmDevice {
  private static final CBORMapper MAPPER = new CBORMapper();
  private static final CBORFactory CBOR = new CBORFactory();

  private final int bytesPerReply;
  private final Deque<byte[]> scripted = new ArrayDeque<>();
  private final List<byte[]> requests = new ArrayList<>();
  private final List<byte[]> replies = new ArrayList<>();
  private int counter;

  SoftwareNsm(int bytesPerReply) {
    this.bytesPerReply = bytesPerReply;
  }

  /** Answers the next call with exactly {@code reply}, whatever the request. */
  synchronized SoftwareNsm thenReply(byte[] reply) {
    scripted.add(reply);
    return this;
  }

  synchronized List<byte[]> requests() {
    return List.copyOf(requests);
  }

  /** Every reply array handed out, as the caller left it. */
  synchronized List<byte[]> replies() {
    return List.copyOf(replies);
  }

  @Override
  public synchronized byte[] call(byte[] cborRequest) throws NsmException {
    requests.add(cborRequest.clone());
    byte[] reply = scripted.isEmpty() ? answer(cborRequest) : scripted.poll();
    replies.add(reply);
    return reply;
  }

  private byte[] answer(byte[] request) {
    JsonNode node;
    try {
      node = MAPPER.readTree(request);
    } catch (IOException e) {
      return error("InvalidArgument");
    }
    if (node.isTextual() && node.textValue().equals("GetRandom")) {
      byte[] random = new byte[bytesPerReply];
      for (int i = 0; i < random.length; i++) {
        counter = counter % 255 + 1;
        random[i] = (byte) counter;
      }
      return variant("GetRandom", "random", random);
    }
    if (node.isObject() && node.size() == 1 && node.has("Attestation")) {
      JsonNode fields = node.get("Attestation");
      if (!fields.isObject() || fields.size() != 3) {
        return error("InvalidArgument");
      }
      List<byte[]> echoed = new ArrayList<>();
      for (String name : List.of("user_data", "nonce", "public_key")) {
        JsonNode value = fields.get(name);
        if (value == null || !(value.isNull() || value.isBinary())) {
          return error("InvalidArgument");
        }
        echoed.add(value.isNull() ? null : binary(value));
      }
      return variant("Attestation", "document", document(echoed));
    }
    return error("InvalidArgument");
  }

  /** {@code {"Error": code}}. */
  static byte[] error(String code) {
    return write(
        g -> {
          g.writeStartObject(null, 1);
          g.writeFieldName("Error");
          g.writeString(code);
          g.writeEndObject();
        });
  }

  /** {@code {variant: {field: bytes}}}. */
  static byte[] variant(String variant, String field, byte[] value) {
    return write(
        g -> {
          g.writeStartObject(null, 1);
          g.writeFieldName(variant);
          g.writeStartObject(null, 1);
          g.writeFieldName(field);
          g.writeBinary(value);
          g.writeEndObject();
          g.writeEndObject();
        });
  }

  /** A stand-in for the COSE document: a CBOR array of the three inputs (null where absent). */
  static byte[] document(List<byte[]> inputs) {
    return write(
        g -> {
          g.writeStartArray(null, inputs.size());
          for (byte[] input : inputs) {
            if (input == null) {
              g.writeNull();
            } else {
              g.writeBinary(input);
            }
          }
          g.writeEndArray();
        });
  }

  private static byte[] binary(JsonNode node) {
    try {
      return node.binaryValue();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FunctionalInterface
  private interface Body {
    void write(CBORGenerator generator) throws IOException;
  }

  private static byte[] write(Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (CBORGenerator g = CBOR.createGenerator(out)) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
