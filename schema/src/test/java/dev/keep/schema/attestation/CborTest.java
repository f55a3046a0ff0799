package dev.keep.schema.attestation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keep.schema.attestation.Cbor.Bytes;
import dev.keep.schema.attestation.Cbor.Int;
import dev.keep.schema.attestation.Cbor.Item;
import dev.keep.schema.attestation.Cbor.Text;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Decoding vectors (RFC 8949 Appendix A where it applies) and every input the decoder refuses. */
class CborTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void accepts_wellFormedItems() {
    Map<String, Item> cases = new LinkedHashMap<>();
    cases.put("00", new Int(0));
    cases.put("17", new Int(23));
    cases.put("1818", new Int(24));
    cases.put("1903e8", new Int(1000));
    cases.put("1b000000e8d4a51000", new Int(1_000_000_000_000L));
    cases.put("1b7fffffffffffffff", new Int(Long.MAX_VALUE));
    cases.put("20", new Int(-1));
    cases.put("3822", new Int(-35));
    cases.put("3b7fffffffffffffff", new Int(Long.MIN_VALUE));
    cases.put("40", new Bytes(new byte[0]));
    cases.put("4401020304", new Bytes(new byte[] {1, 2, 3, 4}));
    cases.put("6449455446", new Text("IETF"));
    cases.put("62c3bc", new Text("\u00fc"));
    cases.put("f4", Cbor.Simple.FALSE);
    cases.put("f5", Cbor.Simple.TRUE);
    cases.put("f6", Cbor.Simple.NULL);
    cases.put("83010203", new Cbor.Array(List.of(new Int(1), new Int(2), new Int(3))));
    cases.put("a201020304", new Cbor.CborMap(Map.of(new Int(1), new Int(2), new Int(3), new Int(4))));
    cases.put("d24101", new Cbor.Tagged(18, new Bytes(new byte[] {1})));
    // Not the shortest form, still well-formed.
    cases.put("1800", new Int(0));
    cases.put("5a0000000101", new Bytes(new byte[] {1}));

    List<String> failures = new ArrayList<>();
    cases.forEach((hex, expected) -> {
      try {
        Item item = Cbor.decode(HEX.parseHex(hex));
        if (!item.equals(expected)) {
          failures.add(hex + ": decoded " + item + ", expected " + expected);
        }
      } catch (Cbor.DecodingException e) {
        failures.add(hex + ": " + e.getMessage());
      }
    });
    assertEquals(List.of(), failures);
  }

  @Test
  void refuses_whatItDoesNotAccept() {
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("", "truncated at offset 0");
    cases.put("18", "truncated at offset 1");
    cases.put("1b00000000", "truncated at offset 5");
    cases.put("0000", "1 bytes after the item (offset 1)");
    cases.put("1bffffffffffffffff", "integer at offset 0 does not fit in 63 bits");
    cases.put("3b8000000000000000", "integer at offset 0 does not fit in 63 bits");
    cases.put("1c", "reserved additional information 28 at offset 0");
    cases.put("5f4101ff", "indefinite length at offset 0");
    cases.put("9fff", "indefinite length at offset 0");
    cases.put("bfff", "indefinite length at offset 0");
    cases.put("ff", "\"break\" outside an indefinite-length item at offset 0");
    cases.put("f93c00", "floating-point number at offset 0");
    cases.put("fb3ff0000000000000", "floating-point number at offset 0");
    cases.put("f7", "unsupported simple value at offset 0");
    cases.put("f820", "unsupported simple value at offset 0");
    cases.put("4501020304", "length 5 at offset 0 exceeds the 4 bytes left");
    cases.put("5bffffffffffffffff00", "length 18446744073709551615 at offset 0 exceeds the 1 bytes left");
    cases.put("9b7fffffffffffffff", "length 9223372036854775807 at offset 0 exceeds the 0 bytes left");
    cases.put("62c328", "text string at offset 0 is not valid UTF-8");
    cases.put("63eda080", "text string at offset 0 is not valid UTF-8"); // a UTF-16 surrogate
    cases.put("a201020103", "duplicate map key at offset 3 (map at offset 0)");
    cases.put("a2614101614102", "duplicate map key at offset 4 (map at offset 0)");
    cases.put("81".repeat(17) + "00", "nested deeper than 16 (offset 17)");
    cases.put("d2".repeat(17) + "00", "nested deeper than 16 (offset 17)");

    List<String> failures = new ArrayList<>();
    cases.forEach((hex, message) -> {
      try {
        failures.add(hex + ": decoded " + Cbor.decode(HEX.parseHex(hex)));
      } catch (Cbor.DecodingException e) {
        if (!e.getMessage().equals(message)) {
          failures.add(hex + ": \"" + e.getMessage() + "\", expected \"" + message + "\"");
        }
      }
    });
    assertEquals(List.of(), failures);
  }

  /** Random inputs, biased toward heads: only ever an item or a DecodingException. Seeded. */
  @Test
  void randomInput_decodesOrFailsCleanly() {
    long seed = 8949L;
    Random random = new Random(seed);
    List<String> failures = new ArrayList<>();
    for (int round = 0; round < 20_000; round++) {
      byte[] input = new byte[random.nextInt(24)];
      random.nextBytes(input);
      try {
        Cbor.decode(input);
      } catch (Cbor.DecodingException expected) {
        // the round passes
      } catch (RuntimeException e) {
        failures.add(HEX.formatHex(input) + ": " + e);
      }
    }
    assertEquals(List.of(), failures, "seed " + seed);
  }

  @Test
  void writer_usesTheShortestHeads() {
    assertEquals("00171818" + "18ff" + "190100" + "1a00010000" + "1b0000000100000000" + "20" + "3822",
        HEX.formatHex(new CborWriter().unsigned(0).unsigned(23).unsigned(24).unsigned(255).unsigned(256)
            .unsigned(65536).unsigned(1L << 32).integer(-1).integer(-35).toByteArray()));
  }

  @Test
  void sigStructure_isTheRfc9052Layout() {
    byte[] toBeSigned = new CoseSign1(new byte[] {(byte) 0xa1, 0x01, 0x38, 0x22}, new byte[] {0x01}, new byte[96])
        .toBeSigned();

    // ["Signature1", h'a1013822', h'', h'01']
    assertEquals("84" + "6a5369676e617475726531" + "44a1013822" + "40" + "4101", HEX.formatHex(toBeSigned));
  }
}
