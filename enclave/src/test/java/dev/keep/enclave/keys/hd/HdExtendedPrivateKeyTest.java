package dev.keep.enclave.keys.hd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.keys.Network;
import dev.keep.enclave.keys.SecretKey;
import dev.keep.schema.encoding.Hex;
import fr.acinq.secp256k1.Secp256k1;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ExtendedPrivateKey beyond the BIP-32 vectors: secrecy, wiping, seed and depth limits. */
class HdExtendedPrivateKeyTest {
  private static final byte[] SEED = Hex.decode("seed", "000102030405060708090a0b0c0d0e0f");

  @Test
  void toStringNeverShowsKeyMaterial() {
    try (ExtendedPrivateKey master = ExtendedPrivateKey.fromSeed(SEED);
        ExtendedPrivateKey child = master.derive(DerivationPath.parse("m/0'/1"))) {
      for (ExtendedPrivateKey key : List.of(master, child)) {
        String secretHex = Hex.encode(key.secretKey().expose());
        String chainCodeHex = Hex.encode(key.chainCode().expose());
        String xprvBody = key.serialize(Network.MAINNET).substring(4, 60);
        ExtendedPrivateKey.Parsed parsed = ExtendedPrivateKey.parse(key.serialize(Network.MAINNET));
        List<String> printed =
            List.of(
                key.toString(),
                String.valueOf(key),
                key.secretKey().toString(),
                key.chainCode().toString(),
                parsed.toString(),
                key.neuter().toString(),
                key.neuter().chainCode().toString());
        for (String s : printed) {
          assertFalse(s.contains(secretHex), s);
          assertFalse(s.contains(chainCodeHex), s);
          assertFalse(s.contains(xprvBody), s);
        }
        assertEquals("<redacted>", key.toString());
        assertEquals("<redacted>", key.chainCode().toString());
        assertTrue(parsed.toString().contains("<redacted>"), parsed.toString());
        parsed.key().close();
      }
    }
  }

  @Test
  void closeWipesTheSecretAndTheChainCode() {
    ExtendedPrivateKey key =
        ExtendedPrivateKey.fromSeed(SEED).deriveChild(DerivationPath.harden(0));
    SecretKey secret = key.secretKey();
    byte[] secretBytes = secret.expose();
    byte[] chainCodeBytes = key.chainCode().expose();
    assertNotEquals(0, sum(secretBytes));
    assertNotEquals(0, sum(chainCodeBytes));

    key.close();

    assertTrue(key.isClosed());
    assertTrue(secret.isWiped());
    assertTrue(key.chainCode().isWiped());
    assertArrayEquals(new byte[32], secretBytes);
    assertArrayEquals(new byte[32], chainCodeBytes);
    assertThrows(IllegalStateException.class, key::secretKey);
    assertThrows(IllegalStateException.class, () -> key.deriveChild(0));
    assertThrows(IllegalStateException.class, () -> key.derive(DerivationPath.ROOT));
    assertThrows(IllegalStateException.class, key::neuter);
    assertThrows(IllegalStateException.class, () -> key.serialize(Network.MAINNET));
    key.close(); // closing twice is harmless
  }

  @Test
  void deriveReturnsAnIndependentKeyTheCallerOwns() {
    try (ExtendedPrivateKey master = ExtendedPrivateKey.fromSeed(SEED)) {
      ExtendedPrivateKey copy = master.derive(DerivationPath.ROOT);
      assertEquals(master.serialize(Network.MAINNET), copy.serialize(Network.MAINNET));
      copy.close();
      assertFalse(master.isClosed());
      assertEquals(master.neuter(), ExtendedPrivateKey.fromSeed(SEED).neuter());

      try (ExtendedPrivateKey byPath = master.derive(DerivationPath.parse("m/0'/1"));
          ExtendedPrivateKey step0 = master.deriveChild(DerivationPath.harden(0));
          ExtendedPrivateKey byStep = step0.deriveChild(1)) {
        assertEquals(byPath.serialize(Network.MAINNET), byStep.serialize(Network.MAINNET));
        assertEquals(master.fingerprint(), step0.parentFingerprint());
        assertEquals(step0.fingerprint(), byStep.parentFingerprint());
      }
    }
  }

  @Test
  void publicKeyIsPointOfTheSecretKey() {
    try (ExtendedPrivateKey key = ExtendedPrivateKey.fromSeed(SEED).deriveChild(7)) {
      Secp256k1 secp = Secp256k1.get();
      byte[] expected = secp.pubKeyCompress(secp.pubkeyCreate(key.secretKey().expose()));
      assertArrayEquals(expected, key.publicKey().toBytes());
      assertEquals(key.publicKey(), key.neuter().publicKey());
      assertEquals(key.fingerprint(), key.neuter().fingerprint());
    }
  }

  @Test
  void seedMustBe128To512Bits() {
    for (int length : List.of(0, 15, 65, 128)) {
      Bip32Exception e =
          assertThrows(Bip32Exception.class, () -> ExtendedPrivateKey.fromSeed(new byte[length]));
      assertEquals("seed", e.field());
      assertTrue(e.getMessage().contains("got " + length), e.getMessage());
    }
    for (int length : List.of(16, 32, 64)) {
      ExtendedPrivateKey.fromSeed(new byte[length]).close();
    }
  }

  @Test
  void depth255HasNoChildren() {
    List<Integer> steps = new ArrayList<>(Collections.nCopies(255, 0));
    try (ExtendedPrivateKey master = ExtendedPrivateKey.fromSeed(SEED);
        ExtendedPrivateKey deepest = master.derive(DerivationPath.of(steps))) {
      assertEquals(255, deepest.depth());
      assertEquals(
          255, ExtendedPublicKey.parse(deepest.neuter().serialize(Network.MAINNET)).key().depth());
      try (ExtendedPrivateKey back =
          ExtendedPrivateKey.parse(deepest.serialize(Network.MAINNET), Network.MAINNET)) {
        assertEquals(255, back.depth());
      }
      assertThrows(IllegalArgumentException.class, () -> deepest.deriveChild(0));
      assertThrows(IllegalArgumentException.class, () -> deepest.neuter().deriveChild(0));
      try (ExtendedPrivateKey one = master.deriveChild(0)) {
        assertThrows(IllegalArgumentException.class, () -> one.derive(DerivationPath.of(steps)));
      }
    }
  }

  @Test
  void theInvalidChildSearchStaysOnItsSideOfTheHardenedBoundary() {
    assertEquals(1, ExtendedPrivateKey.nextChildNumber(0));
    assertEquals(
        DerivationPath.harden(1), ExtendedPrivateKey.nextChildNumber(DerivationPath.harden(0)));
    assertThrows(
        IllegalStateException.class, () -> ExtendedPrivateKey.nextChildNumber(Integer.MAX_VALUE));
    assertThrows(IllegalStateException.class, () -> ExtendedPrivateKey.nextChildNumber(-1));
  }

  private static int sum(byte[] bytes) {
    int s = 0;
    for (byte b : bytes) {
      s |= b;
    }
    return s;
  }
}
