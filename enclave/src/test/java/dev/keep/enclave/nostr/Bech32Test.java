package dev.keep.enclave.nostr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.enclave.nostr.Bech32Exception.Rule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Bech32Test {
  /** The part before the last '1', which is what a caller expecting this string would pass. */
  private static String hrpOf(String text) {
    return text.substring(0, Math.max(text.lastIndexOf('1'), 0)).toLowerCase(Locale.ROOT);
  }

  @Test
  void bip173ValidStringsDecodeAndReencodeInLowerCase() {
    JsonNode valid = NostrFixtures.read("bip173-vectors.json").get("valid");
    List<String> failures = new ArrayList<>();
    for (JsonNode v : valid) {
      String text = v.textValue();
      try {
        byte[] payload = Bech32.decode("v", hrpOf(text), text);
        String again = Bech32.encode(hrpOf(text), payload);
        if (!again.equals(text.toLowerCase(Locale.ROOT))) {
          failures.add(text + ": re-encoded as " + again);
        }
      } catch (RuntimeException e) {
        failures.add(text + ": " + e.getMessage());
      }
    }
    assertEquals(7, valid.size());
    assertEquals(List.of(), failures);
  }

  @Test
  void bip173InvalidStringsFailForTheirReason() {
    JsonNode invalid = NostrFixtures.read("bip173-vectors.json").get("invalid");
    List<String> failures = new ArrayList<>();
    for (JsonNode v : invalid) {
      String text = v.get("string").textValue();
      Rule expected = Rule.valueOf(v.get("rule").textValue());
      try {
        Bech32.decode("v", hrpOf(text), text);
        failures.add(v.get("reason").textValue() + ": accepted");
      } catch (Bech32Exception e) {
        if (e.rule() != expected) {
          failures.add(v.get("reason").textValue() + ": " + e.rule() + " (" + e.getMessage() + ")");
        }
      }
    }
    assertEquals(14, invalid.size());
    assertEquals(List.of(), failures);
  }

  @Test
  void agreesWithBitcoinjOnRandomPayloads() {
    long seed = 20260601L;
    Random random = new Random(seed);
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      byte[] payload = new byte[random.nextInt(50)];
      random.nextBytes(payload);
      String ours = Bech32.encode("keep", payload);
      String theirs =
          org.bitcoinj.base.Bech32.encodeBytes(
              org.bitcoinj.base.Bech32.Encoding.BECH32, "keep", payload);
      if (!ours.equals(theirs)) {
        failures.add(ours + " != " + theirs);
      } else if (!java.util.Arrays.equals(payload, Bech32.decode("v", "keep", theirs))) {
        failures.add(theirs + ": decoded to other bytes");
      }
    }
    assertEquals(List.of(), failures, "seed " + seed);
  }

  @Test
  void upperCaseDecodesLikeLowerCase() {
    String lower = Bech32.encode("npub", new byte[] {1, 2, 3});
    assertArrayEquals(
        new byte[] {1, 2, 3}, Bech32.decode("v", "npub", lower.toUpperCase(Locale.ROOT)));
  }

  @Test
  void encodeRefusesWhatBip173Forbids() {
    assertThrows(IllegalArgumentException.class, () -> Bech32.encode("", new byte[1]));
    assertThrows(IllegalArgumentException.class, () -> Bech32.encode("NPUB", new byte[1]));
    assertThrows(IllegalArgumentException.class, () -> Bech32.encode("npub", new byte[51]));
  }
}
