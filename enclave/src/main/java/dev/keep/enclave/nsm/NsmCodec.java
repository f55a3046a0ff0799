package dev.keep.enclave.nsm;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Set;

/**
 * The CBOR messages of the NSM API (aws-nitro-enclaves-nsm-api, {@code api::Request} and {@code
 * api::Response}), which serde encodes as externally tagged enums:
 *
 * <ul>
 *   <li>a unit variant is its name as a text string: {@code "GetRandom"};
 *   <li>a struct variant is a one-entry map from its name to a map of its fields: {@code
 *       {"Attestation": {"user_data": bytes|null, "nonce": bytes|null, "public_key": bytes|null}}};
 *   <li>a newtype variant maps its name to its value: {@code {"Error": "InvalidArgument"}}.
 * </ul>
 *
 * <p>Decoding is strict: a reply is exactly one map with exactly one entry, the expected variant
 * holds exactly the expected field as a definite-length byte string that fits in the reply, no CBOR
 * tags, nothing after the map. Anything else is a {@link NsmException.MalformedResponse} that names
 * the rule, never the bytes.
 */
final class NsmCodec {
  /** Every variant name a reply may carry; an unexpected one is named, any other text is not. */
  private static final Set<String> RESPONSE_VARIANTS =
      Set.of(
          "DescribePCR",
          "ExtendPCR",
          "LockPCR",
          "LockPCRs",
          "DescribeNSM",
          "Attestation",
          "GetRandom",
          "Error");

  private static final CBORFactory CBOR =
      CBORFactory.builder()
          // No self-describe tag (55799) in front of a request: the NSM expects the bare value.
          .disable(CBORGenerator.Feature.WRITE_TYPE_HEADER)
          // Keep reply bytes out of parser exception messages.
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .build();

  private NsmCodec() {}

  /** {@code Request::GetRandom}: the text string "GetRandom" (0x69 'GetRandom'). */
  static byte[] encodeGetRandom() {
    return encode(generator -> generator.writeString("GetRandom"));
  }

  /**
   * {@code Request::Attestation}. Each argument may be null, which is sent as CBOR null (serde's
   * encoding of {@code None}); the NSM then leaves that field out of the document.
   */
  static byte[] encodeAttestation(byte[] userData, byte[] nonce, byte[] publicKey) {
    return encode(
        generator -> {
          generator.writeStartObject(null, 1);
          generator.writeFieldName("Attestation");
          generator.writeStartObject(null, 3);
          writeOptionalBytes(generator, "user_data", userData);
          writeOptionalBytes(generator, "nonce", nonce);
          writeOptionalBytes(generator, "public_key", publicKey);
          generator.writeEndObject();
          generator.writeEndObject();
        });
  }

  /**
   * The random bytes of {@code {"GetRandom": {"random": bytes}}}. The caller owns and wipes the
   * returned array; it may be empty (the caller decides whether that is acceptable).
   *
   * @throws NsmException.ErrorResponse if the reply is an Error reply
   * @throws NsmException.MalformedResponse if the reply has any other shape
   */
  static byte[] decodeGetRandom(byte[] reply) throws NsmException {
    return decodeBytesField(reply, "GetRandom", "random");
  }

  /** The COSE_Sign1 document of {@code {"Attestation": {"document": bytes}}}. */
  static byte[] decodeAttestation(byte[] reply) throws NsmException {
    return decodeBytesField(reply, "Attestation", "document");
  }

  private static byte[] decodeBytesField(byte[] reply, String variant, String field)
      throws NsmException {
    if (reply == null || reply.length == 0) {
      throw new NsmException.MalformedResponse("the " + variant + " reply is empty");
    }
    if (reply.length > NsmDevice.MAX_RESPONSE_BYTES) {
      throw new NsmException.MalformedResponse(
          "the "
              + variant
              + " reply is "
              + reply.length
              + " bytes, more than the NSM's "
              + NsmDevice.MAX_RESPONSE_BYTES);
    }
    byte[] value = null;
    try (CBORParser parser = CBOR.createParser(reply)) {
      Reader in = new Reader(parser, variant);
      in.expect(JsonToken.START_OBJECT, "the " + variant + " reply");
      String name = in.key("the " + variant + " reply");
      if (name.equals("Error")) {
        throw in.errorReply();
      }
      if (!name.equals(variant)) {
        String other = RESPONSE_VARIANTS.contains(name) ? name : "an unknown variant";
        throw new NsmException.MalformedResponse("the reply is " + other + ", not " + variant);
      }
      in.expect(JsonToken.START_OBJECT, "the " + variant + " value");
      if (!in.key("the " + variant + " value").equals(field)) {
        throw new NsmException.MalformedResponse(
            "the " + variant + " value has a field other than '" + field + "'");
      }
      in.expect(JsonToken.VALUE_EMBEDDED_OBJECT, "'" + field + "'");
      checkLengthFits(reply, parser.currentTokenLocation().getByteOffset(), field);
      value = parser.getBinaryValue();
      in.expectEndOfMap("the " + variant + " value has more than one field");
      in.expectEndOfMap("the reply has more than one entry");
      in.expectEndOfInput();
      byte[] result = value;
      value = null;
      return result;
    } catch (NsmException e) {
      throw e;
    } catch (JsonProcessingException e) {
      throw new NsmException.MalformedResponse(
          "the " + variant + " reply is not well-formed CBOR" + at(e.getLocation()));
    } catch (IOException | RuntimeException e) {
      // Jackson reads from an array, so this is a parser failure on hostile input, not I/O.
      throw new NsmException.MalformedResponse(
          "the " + variant + " reply could not be parsed (" + e.getClass().getSimpleName() + ")");
    } finally {
      if (value != null) {
        Arrays.fill(value, (byte) 0);
      }
    }
  }

  /**
   * Checks the header of the byte string at {@code offset} before Jackson reads it. Jackson
   * allocates the declared length first and fills it from the input, so a length that runs past the
   * end would leave a discarded array holding the reply's bytes; here that is an error before any
   * copy is made. Indefinite lengths (RFC 8949 §3.2.3) are refused too: an NSM reply uses definite
   * ones, and Jackson would assemble the chunks in a buffer of its own.
   */
  private static void checkLengthFits(byte[] reply, long offset, String field) throws NsmException {
    if (offset < 0 || offset >= reply.length || (reply[(int) offset] & 0xE0) != 0x40) {
      // Not where a byte string header must be: a parser change, never input the NSM chose.
      throw new IllegalStateException("CBOR parser reported an unexpected byte string position");
    }
    int start = (int) offset;
    int info = reply[start] & 0x1F; // RFC 8949 §3: the low 5 bits give the length or its size
    int headerBytes =
        switch (info) {
          case 24 -> 2;
          case 25 -> 3;
          case 26 -> 5;
          case 27 -> 9;
          case 31 ->
              throw new NsmException.MalformedResponse(
                  "'" + field + "' is an indefinite-length byte string");
          default -> info < 24 ? 1 : -1;
        };
    if (headerBytes < 0 || reply.length - start < headerBytes) {
      throw new NsmException.MalformedResponse("'" + field + "' has a malformed length");
    }
    long length = info < 24 ? info : 0;
    for (int i = 1; i < headerBytes; i++) {
      length = (length << 8) | (reply[start + i] & 0xFF);
    }
    long left = reply.length - start - headerBytes;
    if (Long.compareUnsigned(length, left) > 0) {
      throw new NsmException.MalformedResponse(
          "'" + field + "' claims more bytes than the reply holds (" + left + " left)");
    }
  }

  private static String at(JsonLocation location) {
    return location == null || location.getByteOffset() < 0
        ? ""
        : " (at byte " + location.getByteOffset() + ")";
  }

  /** Token checks over one reply, with messages that name the kind of item but not its content. */
  private record Reader(CBORParser parser, String variant) {
    /** Reads the next item, which must be {@code wanted}; {@code what} names it for the message. */
    void expect(JsonToken wanted, String what) throws IOException {
      JsonToken found = next();
      if (found != wanted) {
        throw new NsmException.MalformedResponse(
            what + " is " + describe(found) + ", not " + describe(wanted));
      }
    }

    /** Reads the next map key, which must be a text string. */
    String key(String map) throws IOException {
      JsonToken found = next();
      if (found == JsonToken.END_OBJECT) {
        throw new NsmException.MalformedResponse(map + " is an empty map");
      }
      if (found != JsonToken.FIELD_NAME) {
        throw new NsmException.MalformedResponse(map + " has a key that is not a text string");
      }
      return parser.currentName();
    }

    void expectEndOfMap(String problem) throws IOException {
      if (next() != JsonToken.END_OBJECT) {
        throw new NsmException.MalformedResponse(problem);
      }
    }

    void expectEndOfInput() throws IOException {
      if (next() != null) {
        throw new NsmException.MalformedResponse("the reply has trailing data after its map");
      }
    }

    /** The rest of {@code {"Error": code}}, checked as strictly as a success reply. */
    NsmException errorReply() throws IOException {
      expect(JsonToken.VALUE_STRING, "the Error value");
      String text = parser.getText();
      expectEndOfMap("the reply has more than one entry");
      expectEndOfInput();
      return NsmErrorCode.fromWireName(text)
          .<NsmException>map(code -> new NsmException.ErrorResponse(variant, code))
          .orElseGet(
              () -> new NsmException.MalformedResponse("the Error reply names an unknown code"));
    }

    /** The next token; tagged values are refused, since no NSM reply field is tagged. */
    private JsonToken next() throws IOException {
      JsonToken token = parser.nextToken();
      if (token != null && parser.getCurrentTag() != -1) {
        throw new NsmException.MalformedResponse(
            "the " + variant + " reply has a CBOR tag, which no NSM reply uses");
      }
      return token;
    }

    private static String describe(JsonToken token) {
      if (token == null) {
        return "the end of the reply";
      }
      return switch (token) {
        case START_OBJECT -> "a map";
        case END_OBJECT -> "the end of a map";
        case START_ARRAY -> "an array";
        case END_ARRAY -> "the end of an array";
        case FIELD_NAME -> "a map key";
        case VALUE_STRING -> "a text string";
        case VALUE_EMBEDDED_OBJECT -> "a byte string";
        case VALUE_NUMBER_INT -> "an integer";
        case VALUE_NUMBER_FLOAT -> "a float";
        case VALUE_TRUE, VALUE_FALSE -> "a boolean";
        case VALUE_NULL -> "null";
        default -> "an unexpected CBOR item";
      };
    }
  }

  @FunctionalInterface
  private interface Writer {
    void write(CBORGenerator generator) throws IOException;
  }

  private static byte[] encode(Writer writer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (CBORGenerator generator = CBOR.createGenerator(out)) {
      writer.write(generator);
    } catch (IOException e) {
      throw new UncheckedIOException("writing CBOR to memory cannot fail", e);
    }
    return out.toByteArray();
  }

  private static void writeOptionalBytes(CBORGenerator generator, String name, byte[] value)
      throws IOException {
    generator.writeFieldName(name);
    if (value == null) {
      generator.writeNull();
    } else {
      generator.writeBinary(value);
    }
  }
}
