package dev.keep.enclave.nsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class NsmCodecTest {
  private static final HexFormat HEX = HexFormat.of();

  // Golden: the exact request bytes the NSM receives. A change here is a wire format change.

  @Test
  void getRandomRequest_isTheTextStringGetRandom() {
    // 69 = text(9); the Linux driver's own hwrng sends these same ten bytes (drivers/misc/nsm.c).
    assertEquals("6947657452616e646f6d", HEX.formatHex(NsmCodec.encodeGetRandom()));
  }

  @Test
  void attestationRequest_withAllFields_isAOneEntryMapOfThreeByteStrings() {
    byte[] request =
        NsmCodec.encodeAttestation(new byte[] {1, 2}, new byte[] {3}, new byte[] {4, 5, 6});
    assertEquals(
        String.join(
            "",
            "a1", // map(1)
            "6b4174746573746174696f6e", // "Attestation"
            "a3", // map(3)
            "69757365725f64617461", // "user_data"
            "420102", // h'0102'
            "656e6f6e6365", // "nonce"
            "4103", // h'03'
            "6a7075626c69635f6b6579", // "public_key"
            "43040506"), // h'040506'
        HEX.formatHex(request));
  }

  @Test
  void attestationRequest_withoutFields_sendsNulls() {
    assertEquals(
        String.join(
            "",
            "a1",
            "6b4174746573746174696f6e",
            "a3",
            "69757365725f64617461",
            "f6", // null
            "656e6f6e6365",
            "f6",
            "6a7075626c69635f6b6579",
            "f6"),
        HEX.formatHex(NsmCodec.encodeAttestation(null, null, null)));
  }

  @Test
  void attestationRequest_withAnEmptyField_sendsAnEmptyByteString() {
    assertEquals(
        String.join(
            "",
            "a1",
            "6b4174746573746174696f6e",
            "a3",
            "69757365725f64617461",
            "40", // h''
            "656e6f6e6365",
            "f6",
            "6a7075626c69635f6b6579",
            "f6"),
        HEX.formatHex(NsmCodec.encodeAttestation(new byte[0], null, null)));
  }

  /** Every case of vectors/nsm-replies.csv; all failures are reported together. */
  @Test
  void replyVectors() throws IOException {
    List<String> failures = new ArrayList<>();
    int cases = 0;
    for (String line : readVectors()) {
      String[] f = line.split(",", 4);
      String name = f[0];
      String variant = f[1];
      byte[] reply = HEX.parseHex(f[2]);
      String expect = f[3];
      cases++;
      String outcome = decode(variant, reply);
      boolean ok =
          expect.startsWith("malformed:")
              ? outcome.startsWith("malformed:") && outcome.contains(expect.substring(10))
              : outcome.equals(expect);
      if (!ok) {
        failures.add(name + ": expected " + expect + ", got " + outcome);
      }
    }
    assertTrue(cases >= 40, "vector file looks truncated: " + cases + " cases");
    assertEquals(List.of(), failures);
  }

  @Test
  void replyLargerThanTheDriverAllows_isRejectedBeforeParsing() {
    byte[] big = new byte[NsmDevice.MAX_RESPONSE_BYTES + 1];
    var e = assertThrows(NsmException.MalformedResponse.class, () -> NsmCodec.decodeGetRandom(big));
    assertTrue(e.getMessage().contains("12289 bytes"), e.getMessage());
  }

  @Test
  void nullReply_isMalformed() {
    assertThrows(NsmException.MalformedResponse.class, () -> NsmCodec.decodeGetRandom(null));
  }

  @Test
  void errorReply_namesTheRequestAndTheCode() {
    var e =
        assertThrows(
            NsmException.ErrorResponse.class,
            () -> NsmCodec.decodeGetRandom(SoftwareNsm.error("InternalError")));
    assertEquals(NsmErrorCode.InternalError, e.code());
    assertEquals("the NSM refused GetRandom: InternalError", e.getMessage());
  }

  @Test
  void malformedReply_messageDoesNotQuoteTheReply() {
    // Random bytes in a reply that breaks the rules must not reach the message.
    byte[] reply = SoftwareNsm.variant("GetRandom", "random", HEX.parseHex("c0ffee1234"));
    byte[] trailing = new byte[reply.length + 1];
    System.arraycopy(reply, 0, trailing, 0, reply.length);
    trailing[reply.length] = (byte) 0xAB;
    var e =
        assertThrows(
            NsmException.MalformedResponse.class, () -> NsmCodec.decodeGetRandom(trailing));
    String message = e.getMessage().toLowerCase();
    assertTrue(!message.contains("c0ffee") && !message.contains("-64"), message);
    assertEquals(null, e.getCause());
  }

  @Test
  void everyErrorCodeHasItsWireName() {
    for (NsmErrorCode code : NsmErrorCode.values()) {
      assertEquals(code, NsmErrorCode.fromWireName(code.name()).orElseThrow());
    }
    assertTrue(NsmErrorCode.fromWireName("invalidargument").isEmpty());
  }

  private static String decode(String variant, byte[] reply) {
    try {
      byte[] value =
          switch (variant) {
            case "GetRandom" -> NsmCodec.decodeGetRandom(reply);
            case "Attestation" -> NsmCodec.decodeAttestation(reply);
            default -> throw new IllegalArgumentException("unknown variant " + variant);
          };
      return "ok:" + HEX.formatHex(value);
    } catch (NsmException.ErrorResponse e) {
      return "error:" + e.code().name();
    } catch (NsmException.MalformedResponse e) {
      return "malformed:" + e.getMessage();
    } catch (NsmException | RuntimeException e) {
      return "unexpected " + e;
    }
  }

  private static List<String> readVectors() throws IOException {
    try (InputStream in = NsmCodecTest.class.getResourceAsStream("/vectors/nsm-replies.csv")) {
      List<String> lines = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank() && !line.startsWith("#") && !line.startsWith("name,")) {
          lines.add(line.strip());
        }
      }
      return lines;
    }
  }
}
