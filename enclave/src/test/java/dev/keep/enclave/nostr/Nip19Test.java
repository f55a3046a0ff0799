package dev.keep.enclave.nostr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.enclave.keys.SecretKey;
import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.enclave.nostr.Bech32Exception.Rule;
import dev.keep.schema.encoding.Hex;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Function;
import org.bitcoinj.base.Bech32.Bech32Bytes;
import org.bitcoinj.base.Bech32.Encoding;
import org.junit.jupiter.api.Test;

class Nip19Test {
  private static final String NPUB = "npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg";
  private static final String NSEC = "nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5";
  private static final String NSEC_HEX =
      "67dea2ed018072d675f5415ecfaed7d2597555e202d85b3d65ea4e58d2d92ffa";

  @Test
  void nip19ExamplesDecodeAndEncode() {
    List<String> failures = new ArrayList<>();
    for (JsonNode v : NostrFixtures.read("nip19-vectors.json").get("keys")) {
      String bech32 = v.get("bech32").textValue();
      String hex = v.get("hex").textValue();
      if (v.get("hrp").textValue().equals("npub")) {
        XOnlyPublicKey key = Nip19.decodeNpub(bech32);
        check(failures, bech32 + " decodes", hex, key.toHex());
        check(failures, hex + " encodes", bech32, Nip19.encodeNpub(XOnlyPublicKey.of(Hex.decode("hex", hex))));
      } else {
        try (SecretKey key = Nip19.decodeNsec(bech32)) {
          check(failures, "nsec decodes", hex, Hex.encode(key.expose()));
        }
        try (SecretKey key = SecretKey.adopt(Hex.decode("hex", hex))) {
          check(failures, "nsec encodes", bech32, Nip19.encodeNsec(key));
        }
      }
    }
    assertEquals(List.of(), failures);
  }

  private static void check(List<String> failures, String what, String expected, String actual) {
    if (!expected.equals(actual)) {
      failures.add(what + ": expected " + expected + ", got " + actual);
    }
  }

  @Test
  void upperCaseIsAccepted() {
    assertEquals(Nip19.decodeNpub(NPUB), Nip19.decodeNpub(NPUB.toUpperCase(Locale.ROOT)));
    try (SecretKey key = Nip19.decodeNsec(NSEC.toUpperCase(Locale.ROOT))) {
      assertEquals(NSEC_HEX, Hex.encode(key.expose()));
    }
  }

  @Test
  void randomKeysRoundTripAndMatchBitcoinj() {
    long seed = 19L;
    Random random = new Random(seed);
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      byte[] bytes = new byte[32];
      random.nextBytes(bytes);
      String npub = Nip19.encodeNpub(XOnlyPublicKey.of(bytes));
      String expected = org.bitcoinj.base.Bech32.encodeBytes(Encoding.BECH32, "npub", bytes);
      if (!npub.equals(expected) || !Nip19.decodeNpub(npub).equals(XOnlyPublicKey.of(bytes))) {
        failures.add(Hex.encode(bytes) + ": " + npub);
      }
      try (SecretKey key = SecretKey.adopt(bytes.clone());
          SecretKey back = Nip19.decodeNsec(Nip19.encodeNsec(key))) {
        if (!back.equals(key)) {
          failures.add(Hex.encode(bytes) + ": nsec round trip");
        }
      }
    }
    assertEquals(List.of(), failures, "seed " + seed);
  }

  @Test
  void decodedNsecIsASecretKey() {
    try (SecretKey key = Nip19.decodeNsec(NSEC)) {
      assertEquals("<redacted>", key.toString());
    }
  }

  record Rejection(String name, Function<String, Object> decoder, String input, Rule rule) {}

  private static final Function<String, Object> NPUB_DECODER = Nip19::decodeNpub;
  private static final Function<String, Object> NSEC_DECODER =
      s -> {
        Nip19.decodeNsec(s).close();
        return null;
      };

  static List<Rejection> rejections() {
    byte[] key = Hex.decode("hex", NSEC_HEX);
    String bech32m = org.bitcoinj.base.Bech32.encodeBytes(Encoding.BECH32M, "npub", key);
    return List.of(
        npub("mixed case npub", "Npub" + NPUB.substring(4), Rule.MIXED_CASE),
        nsec("mixed case nsec", replaceAt(NSEC, 10, 'Q'), Rule.MIXED_CASE),
        npub("bad checksum npub", replaceAt(NPUB, NPUB.length() - 1, 'q'), Rule.CHECKSUM),
        nsec("bad checksum nsec", replaceAt(NSEC, NSEC.length() - 1, 'q'), Rule.CHECKSUM),
        nsec("one data character changed", replaceAt(NSEC, 20, 'q'), Rule.CHECKSUM),
        npub("bech32m, not bech32", bech32m, Rule.CHECKSUM),
        npub("nsec where an npub belongs", NSEC, Rule.HRP),
        nsec("npub where an nsec belongs", NPUB, Rule.HRP),
        npub("note id where an npub belongs", Bech32.encode("note", key), Rule.HRP),
        npub("31-byte npub", Bech32.encode("npub", new byte[31]), Rule.LENGTH),
        nsec("33-byte nsec", Bech32.encode("nsec", new byte[33]), Rule.LENGTH),
        npub("longer than 90", NPUB + "q".repeat(28), Rule.LENGTH),
        npub("null", null, Rule.LENGTH),
        npub("no separator", NPUB.replace("1", ""), Rule.SEPARATOR),
        nsec("empty", "", Rule.SEPARATOR),
        nsec("'b' is not a bech32 character", replaceAt(NSEC, 30, 'b'), Rule.CHARACTER),
        npub("leading space", " " + NPUB, Rule.CHARACTER),
        nsec("non-ASCII", replaceAt(NSEC, 30, '\u00e9'), Rule.CHARACTER),
        npub("padding bits not zero", fiveBit("npub", 52, 0b00001), Rule.PADDING),
        nsec("more than 4 padding bits", fiveBit("nsec", 51, 0), Rule.PADDING));
  }

  private static Rejection npub(String name, String input, Rule rule) {
    return new Rejection(name, NPUB_DECODER, input, rule);
  }

  private static Rejection nsec(String name, String input, Rule rule) {
    return new Rejection(name, NSEC_DECODER, input, rule);
  }

  /** {@code s} with the character at {@code i} replaced by {@code c}, which must differ. */
  private static String replaceAt(String s, int i, char c) {
    if (s.charAt(i) == c) {
      c = c == 'q' ? 'p' : 'q';
    }
    return s.substring(0, i) + c + s.substring(i + 1);
  }

  @Test
  void everyRuleIsEnforcedAndNamed() {
    List<String> failures = new ArrayList<>();
    for (Rejection r : rejections()) {
      try {
        r.decoder().apply(r.input());
        failures.add(r.name() + ": accepted");
      } catch (Bech32Exception e) {
        if (e.rule() != r.rule()) {
          failures.add(r.name() + ": " + e.rule() + " (" + e.getMessage() + "), expected " + r.rule());
        }
      }
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void nsecErrorsNeverQuoteTheInputOrTheKey() {
    List<String> failures = new ArrayList<>();
    for (Rejection r : rejections()) {
      if (r.decoder() != NSEC_DECODER || r.input() == null) {
        continue;
      }
      String message = assertThrows(Bech32Exception.class, () -> r.decoder().apply(r.input())).getMessage();
      String data = r.input().substring(r.input().lastIndexOf('1') + 1);
      for (int i = 0; i + 6 <= data.length(); i++) {
        if (message.toLowerCase(Locale.ROOT).contains(data.substring(i, i + 6).toLowerCase(Locale.ROOT))) {
          failures.add(r.name() + ": message quotes the input: " + message);
          break;
        }
      }
      if (message.contains(NSEC_HEX.substring(0, 8))) {
        failures.add(r.name() + ": message has key bytes: " + message);
      }
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void aPastedNsecIsCalledOutAsASecret() {
    Bech32Exception e = assertThrows(Bech32Exception.class, () -> Nip19.decodeNpub(NSEC));
    assertEquals("npub: this is an nsec (a secret key), not an npub", e.getMessage());
  }

  /** A correctly checksummed string of {@code count} 5-bit values, the last one {@code last}. */
  private static String fiveBit(String hrp, int count, int last) {
    byte[] values = new byte[count];
    values[count - 1] = (byte) last;
    return org.bitcoinj.base.Bech32.encode(Encoding.BECH32, hrp, new Bech32Bytes(values) {});
  }
}
