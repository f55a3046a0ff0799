package dev.keep.enclave.keys.hd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.keys.Network;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DerivationPathTest {
  private static final int H = DerivationPath.HARDENED_BIT;

  @Test
  void mAloneIsTheRoot() {
    assertSame(DerivationPath.ROOT, DerivationPath.parse("m"));
    assertEquals(0, DerivationPath.ROOT.depth());
    assertEquals("m", DerivationPath.ROOT.toString());
    assertEquals(List.of(), DerivationPath.ROOT.childNumbers());
  }

  @Test
  void parsesHardenedAndNormalStepsToRawChildNumbers() {
    DerivationPath path = DerivationPath.parse("m/86'/1h/0'/0/5");
    assertEquals(List.of(86 | H, 1 | H, H, 0, 5), path.childNumbers());
    assertEquals(5, path.depth());
    assertTrue(path.hasHardenedStep());
    assertEquals("m/86'/1'/0'/0/5", path.toString());
  }

  @Test
  void hAndApostropheAreTheSamePathAndPrintAsApostrophe() {
    assertEquals(DerivationPath.parse("m/0'/1'"), DerivationPath.parse("m/0h/1h"));
    assertEquals(
        DerivationPath.parse("m/0'/1'").hashCode(), DerivationPath.parse("m/0h/1'").hashCode());
    assertEquals("m/0'/1'", DerivationPath.parse("m/0h/1h").toString());
  }

  @Test
  void indexBoundaries() {
    assertEquals(List.of(0), DerivationPath.parse("m/0").childNumbers());
    assertEquals(List.of(Integer.MAX_VALUE), DerivationPath.parse("m/2147483647").childNumbers());
    assertEquals(List.of(-1), DerivationPath.parse("m/2147483647'").childNumbers());
    assertEquals(List.of(H), DerivationPath.parse("m/0'").childNumbers());
    assertEquals("m/2147483647'", DerivationPath.parse("m/2147483647h").toString());
    assertEquals("m/2147483647", DerivationPath.parse("m/2147483647").toString());
  }

  @Test
  void indexesFrom2To31AreRefusedBeforeHardening() {
    for (String text :
        List.of(
            "m/2147483648",
            "m/2147483648'",
            "m/2147483648h",
            "m/0/4294967295",
            "m/4294967296",
            "m/99999999999",
            "m/123456789012345678901234567890")) {
      Bip32Exception e = assertThrows(Bip32Exception.class, () -> DerivationPath.parse(text), text);
      assertEquals("path", e.field());
      assertTrue(e.getMessage().startsWith("path: index "), e.getMessage());
      assertTrue(e.getMessage().contains("is out of range"), e.getMessage());
    }
    assertTrue(
        assertThrows(Bip32Exception.class, () -> DerivationPath.parse("m/2147483648"))
            .getMessage()
            .startsWith("path: index 2147483648 is out of range"));
  }

  @Test
  void depth255IsTheLimit() {
    String deepest = "m" + "/1".repeat(255);
    assertEquals(255, DerivationPath.parse(deepest).depth());
    Bip32Exception e =
        assertThrows(Bip32Exception.class, () -> DerivationPath.parse(deepest + "/1"));
    assertEquals("path: depth 256 exceeds the maximum of 255", e.getMessage());
    // Refused by counting, before the steps are split or parsed.
    assertThrows(Bip32Exception.class, () -> DerivationPath.parse("m" + "/x".repeat(100_000)));

    List<Integer> steps = new ArrayList<>(Collections.nCopies(255, 1));
    DerivationPath max = DerivationPath.of(steps);
    assertThrows(IllegalArgumentException.class, () -> max.child(0));
    steps.add(1);
    assertThrows(IllegalArgumentException.class, () -> DerivationPath.of(steps));
  }

  @Test
  void malformedTextNamesTheRule() {
    Map<String, String> cases =
        Map.ofEntries(
            Map.entry("", "path: must start with 'm'"),
            Map.entry("M/0", "path: must start with 'm'"),
            Map.entry("/0", "path: must start with 'm'"),
            Map.entry(" m/0", "path: must start with 'm'"),
            Map.entry("0/1", "path: must start with 'm'"),
            Map.entry("m0", "path: 'm' must be followed by '/' or end the path"),
            Map.entry("m/", "path: step 1 is empty"),
            Map.entry("m//1", "path: step 1 is empty"),
            Map.entry("m/1/", "path: step 2 is empty"),
            Map.entry("m/'", "path: step 1 is empty"),
            Map.entry(
                "m/1''", "path: step 1 must be a decimal index, optionally followed by ' or h"),
            Map.entry(
                "m/1'h", "path: step 1 must be a decimal index, optionally followed by ' or h"),
            Map.entry(
                "m/1H", "path: step 1 must be a decimal index, optionally followed by ' or h"),
            Map.entry(
                "m/-1", "path: step 1 must be a decimal index, optionally followed by ' or h"),
            Map.entry(
                "m/+1", "path: step 1 must be a decimal index, optionally followed by ' or h"),
            Map.entry(
                "m/0x1", "path: step 1 must be a decimal index, optionally followed by ' or h"),
            Map.entry(
                "m/1 ", "path: step 1 must be a decimal index, optionally followed by ' or h"),
            Map.entry(
                "m/\u0661", "path: step 1 must be a decimal index, optionally followed by ' or h"),
            Map.entry("m/0/01", "path: step 2 has a leading zero"),
            Map.entry("m/00'", "path: step 1 has a leading zero"));
    List<String> failures = new ArrayList<>();
    cases.forEach(
        (text, expected) -> {
          try {
            failures.add("'" + text + "' parsed as " + DerivationPath.parse(text));
          } catch (Bip32Exception e) {
            if (!e.getMessage().equals(expected)) {
              failures.add("'" + text + "': " + e.getMessage());
            }
          }
        });
    assertEquals(List.of(), failures);
  }

  @Test
  void canonicalTextRoundTrips() {
    for (String text :
        List.of("m", "m/0", "m/0'", "m/44'/0'/0'/1/17", "m/2147483647'/2147483647")) {
      assertEquals(text, DerivationPath.parse(text).toString());
      assertEquals(
          DerivationPath.parse(text), DerivationPath.of(DerivationPath.parse(text).childNumbers()));
    }
  }

  @Test
  void accountPathsUseTheNetworksCoinType() {
    assertEquals("m/86'/1'/0'", DerivationPath.account(86, Network.TESTNET, 0).toString());
    assertEquals("m/86'/1'/0'", DerivationPath.account(86, Network.REGTEST, 0).toString());
    assertEquals("m/84'/0'/7'", DerivationPath.account(84, Network.MAINNET, 7).toString());
    assertEquals(
        "m/86'/1'/0'/0/5",
        DerivationPath.account(86, Network.SIGNET, 0).child(0).child(5).toString());
    assertThrows(
        IllegalArgumentException.class, () -> DerivationPath.account(-1, Network.MAINNET, 0));
    assertThrows(
        IllegalArgumentException.class, () -> DerivationPath.account(86, Network.MAINNET, H));
  }

  @Test
  void hardeningHelpers() {
    assertEquals(H | 5, DerivationPath.harden(5));
    assertTrue(DerivationPath.isHardened(H));
    assertTrue(DerivationPath.isHardened(-1));
    assertFalse(DerivationPath.isHardened(Integer.MAX_VALUE));
    assertThrows(IllegalArgumentException.class, () -> DerivationPath.harden(H));
    assertThrows(IllegalArgumentException.class, () -> DerivationPath.ROOT.child(-5));
    assertEquals("m/3'/4", DerivationPath.ROOT.hardenedChild(3).child(4).toString());
    assertFalse(DerivationPath.parse("m/0/1").hasHardenedStep());
  }

  @Test
  void childNumbersAreUnmodifiable() {
    DerivationPath path = DerivationPath.parse("m/1/2");
    assertThrows(UnsupportedOperationException.class, () -> path.childNumbers().add(3));
    List<Integer> source = new ArrayList<>(List.of(1, 2));
    DerivationPath copy = DerivationPath.of(source);
    source.add(3);
    assertEquals(2, copy.depth());
  }
}
