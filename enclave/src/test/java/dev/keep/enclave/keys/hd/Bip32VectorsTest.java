package dev.keep.enclave.keys.hd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keep.enclave.keys.Network;
import dev.keep.schema.encoding.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * BIP-32 §Test Vectors 1 to 5, read from {@code vectors/bip32-test-vectors.json}. Every case runs;
 * failures are collected and asserted together, so one run shows them all.
 */
class Bip32VectorsTest {
  record Chain(String path, String xpub, String xprv) {}

  record Vector(int vector, String comment, String seed, List<Chain> chains) {}

  record Invalid(String key, String reason, String field) {}

  record Vectors(List<Vector> valid, List<Invalid> invalid) {}

  static Vectors vectors() throws IOException {
    try (InputStream in =
        Bip32VectorsTest.class.getResourceAsStream("/vectors/bip32-test-vectors.json")) {
      return new ObjectMapper()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .readValue(in, Vectors.class);
    }
  }

  @Test
  void allVectorsAreRead() throws IOException {
    Vectors v = vectors();
    assertEquals(List.of(1, 2, 3, 4), v.valid().stream().map(Vector::vector).toList());
    assertEquals(17, v.valid().stream().mapToInt(x -> x.chains().size()).sum());
    assertEquals(16, v.invalid().size());
  }

  /**
   * Vectors 1-4: CKDpriv from the seed along each chain gives the listed xprv, and N() the xpub.
   */
  @Test
  void privateDerivationFromTheSeedGivesEveryListedKey() throws IOException {
    List<String> failures = new ArrayList<>();
    int run = 0;
    for (Vector v : vectors().valid()) {
      try (ExtendedPrivateKey master = ExtendedPrivateKey.fromSeed(Hex.decode("seed", v.seed()))) {
        for (Chain c : v.chains()) {
          run++;
          try (ExtendedPrivateKey key = master.derive(DerivationPath.parse(c.path()))) {
            if (!key.serialize(Network.MAINNET).equals(c.xprv())) {
              failures.add("vector " + v.vector() + " " + c.path() + ": xprv differs");
            }
            if (!key.neuter().serialize(Network.MAINNET).equals(c.xpub())) {
              failures.add("vector " + v.vector() + " " + c.path() + ": xpub differs");
            }
          }
        }
      }
    }
    assertEquals(17, run);
    assertEquals(List.of(), failures);
  }

  /**
   * Vectors 1-2: where a chain's last step is non-hardened, CKDpub from the previous chain's xpub
   * (each chain in the BIP extends the one before by one step) gives the listed xpub.
   */
  @Test
  void publicDerivationFromTheParentXpubGivesEveryNonHardenedChild() throws IOException {
    List<String> failures = new ArrayList<>();
    int run = 0;
    for (Vector v : vectors().valid()) {
      for (int i = 1; i < v.chains().size(); i++) {
        List<Integer> steps = DerivationPath.parse(v.chains().get(i).path()).childNumbers();
        int last = steps.getLast();
        if (DerivationPath.isHardened(last)) {
          continue;
        }
        run++;
        ExtendedPublicKey parent = ExtendedPublicKey.parse(v.chains().get(i - 1).xpub()).key();
        String derived = parent.deriveChild(last).serialize(Network.MAINNET);
        if (!derived.equals(v.chains().get(i).xpub())) {
          failures.add(
              "vector " + v.vector() + " " + v.chains().get(i).path() + ": CKDpub differs");
        }
      }
    }
    assertEquals(6, run, "m/0H/1, m/0H/1/2H/2, .../1000000000 and vector 2's m/0, .../1, .../2");
    assertEquals(List.of(), failures);
  }

  /**
   * Every listed key parses and serializes back to the same text, its header agrees with its path,
   * its parent fingerprint is the fingerprint of the previous chain's key, and N(xprv) is the xpub.
   */
  @Test
  void everyListedKeyParsesAndRoundTrips() throws IOException {
    List<String> failures = new ArrayList<>();
    for (Vector v : vectors().valid()) {
      ExtendedPublicKey previous = null;
      for (Chain c : v.chains()) {
        String where = "vector " + v.vector() + " " + c.path() + ": ";
        DerivationPath path = DerivationPath.parse(c.path());
        ExtendedPublicKey.Parsed pub = ExtendedPublicKey.parse(c.xpub());
        ExtendedPrivateKey.Parsed prv = ExtendedPrivateKey.parse(c.xprv());
        try (ExtendedPrivateKey key = prv.key()) {
          if (pub.network() != Network.MAINNET || prv.network() != Network.MAINNET) {
            failures.add(where + "network " + pub.network() + "/" + prv.network());
          }
          if (!pub.key().serialize(Network.MAINNET).equals(c.xpub())) {
            failures.add(where + "xpub does not round-trip");
          }
          if (!key.serialize(Network.MAINNET).equals(c.xprv())) {
            failures.add(where + "xprv does not round-trip");
          }
          if (!key.neuter().equals(pub.key())) {
            failures.add(where + "N(xprv) is not the xpub");
          }
          if (pub.key().depth() != path.depth() || key.depth() != path.depth()) {
            failures.add(where + "depth " + pub.key().depth());
          }
          int expectedChild = path.depth() == 0 ? 0 : path.childNumbers().getLast();
          if (pub.key().childNumber() != expectedChild || key.childNumber() != expectedChild) {
            failures.add(where + "child number " + pub.key().childNumber());
          }
          Fingerprint expectedParent = previous == null ? Fingerprint.NONE : previous.fingerprint();
          if (!pub.key().parentFingerprint().equals(expectedParent)
              || !key.parentFingerprint().equals(expectedParent)) {
            failures.add(where + "parent fingerprint " + pub.key().parentFingerprint());
          }
        }
        previous = pub.key();
      }
    }
    assertEquals(List.of(), failures);
  }

  /**
   * Vector 5: every invalid key is rejected by the parser its prefix names (both parsers for an
   * unknown version), with a {@link Bip32Exception} naming the expected field and without echoing
   * the key; the other parser rejects it too.
   */
  @Test
  void everyInvalidKeyIsRejectedNamingTheBrokenRule() throws IOException {
    Function<String, Object> publicParser = ExtendedPublicKey::parse;
    Function<String, Object> privateParser = ExtendedPrivateKey::parse;
    List<String> failures = new ArrayList<>();
    for (Invalid c : vectors().invalid()) {
      List<Function<String, Object>> named =
          c.key().startsWith("xpub")
              ? List.of(publicParser)
              : c.key().startsWith("xprv")
                  ? List.of(privateParser)
                  : List.of(publicParser, privateParser);
      for (Function<String, Object> parser : List.of(publicParser, privateParser)) {
        String who =
            (parser == publicParser ? "ExtendedPublicKey" : "ExtendedPrivateKey")
                + " on "
                + c.reason();
        try {
          parser.apply(c.key());
          failures.add(who + ": accepted");
        } catch (Bip32Exception e) {
          if (named.contains(parser) && !e.field().equals(c.field())) {
            failures.add(
                who
                    + ": field '"
                    + e.field()
                    + "', expected '"
                    + c.field()
                    + "' ("
                    + e.getMessage()
                    + ")");
          }
          if (e.getMessage().contains(c.key().substring(4, 40))) {
            failures.add(who + ": message echoes the key");
          }
        }
      }
    }
    assertEquals(List.of(), failures);
  }

  /** Test networks: tprv/tpub text, read back as TESTNET, and a required network is enforced. */
  @Test
  void testNetworkVersionsRoundTripAndAreCheckedAgainstTheExpectedNetwork() throws IOException {
    Vector v1 = vectors().valid().getFirst();
    try (ExtendedPrivateKey master = ExtendedPrivateKey.fromSeed(Hex.decode("seed", v1.seed()));
        ExtendedPrivateKey account = master.derive(DerivationPath.parse("m/0'/1"))) {
      String tprv = account.serialize(Network.SIGNET);
      String tpub = account.neuter().serialize(Network.REGTEST);
      assertTrue(tprv.startsWith("tprv"), tprv.substring(0, 4));
      assertTrue(tpub.startsWith("tpub"), tpub);
      assertEquals(Network.TESTNET, ExtendedPrivateKey.parse(tprv).network());
      assertEquals(Network.TESTNET, ExtendedPublicKey.parse(tpub).network());
      try (ExtendedPrivateKey back = ExtendedPrivateKey.parse(tprv, Network.SIGNET)) {
        assertEquals(tprv, back.serialize(Network.TESTNET));
      }
      assertEquals(account.neuter(), ExtendedPublicKey.parse(tpub, Network.TESTNET));
      assertEquals(
          "version",
          assertThrows(Bip32Exception.class, () -> ExtendedPrivateKey.parse(tprv, Network.MAINNET))
              .field());
      assertEquals(
          "version",
          assertThrows(Bip32Exception.class, () -> ExtendedPublicKey.parse(tpub, Network.MAINNET))
              .field());
      assertEquals(
          "version",
          assertThrows(
                  Bip32Exception.class,
                  () -> ExtendedPublicKey.parse(v1.chains().getFirst().xpub(), Network.TESTNET))
              .field());
    }
  }
}
