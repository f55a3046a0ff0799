package dev.keep.enclave.keys.hd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.keys.Network;
import dev.keep.schema.encoding.Hex;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ExtendedPublicKey beyond the BIP-32 vectors: hardened refusal, N(CKDpriv) = CKDpub, parsing
 * limits.
 */
class HdExtendedPublicKeyTest {
  private static final byte[] SEED =
      Hex.decode("seed", "fffcf9f6f3f0edeae7e4e1dedbd8d5d2cfccc9c6c3c0bdbab7b4b1aeaba8a5a2");

  @Test
  void hardenedChildrenNeedThePrivateKey() {
    try (ExtendedPrivateKey master = ExtendedPrivateKey.fromSeed(SEED)) {
      ExtendedPublicKey xpub = master.neuter();
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> xpub.deriveChild(DerivationPath.harden(0)));
      assertFalse(e instanceof Bip32Exception, "misuse, not bad input");
      assertTrue(e.getMessage().contains("0'"), e.getMessage());
      assertThrows(
          IllegalArgumentException.class, () -> xpub.derive(DerivationPath.parse("m/0/1'/2")));
    }
  }

  /** §The key tree: N(m/a_H/b/c) = N(m/a_H)/b/c. */
  @Test
  void publicDerivationAgreesWithPrivateDerivation() {
    try (ExtendedPrivateKey master = ExtendedPrivateKey.fromSeed(SEED);
        ExtendedPrivateKey account =
            master.derive(DerivationPath.account(86, Network.TESTNET, 0))) {
      DerivationPath relative = DerivationPath.parse("m/1/2147483647/0/9");
      try (ExtendedPrivateKey leaf = account.derive(relative)) {
        assertEquals(leaf.neuter(), account.neuter().derive(relative));
        assertEquals(leaf.neuter().hashCode(), account.neuter().derive(relative).hashCode());
      }
      assertEquals(account.neuter(), account.neuter().derive(DerivationPath.ROOT));
      assertNotEquals(account.neuter(), account.neuter().deriveChild(0));
    }
  }

  @Test
  void toStringShowsThePlaceInTheTreeButNotTheChainCode() {
    try (ExtendedPrivateKey master = ExtendedPrivateKey.fromSeed(SEED)) {
      ExtendedPublicKey child = master.neuter().deriveChild(5);
      String text = child.toString();
      assertTrue(text.contains("depth=1"), text);
      assertTrue(text.contains("childNumber=5"), text);
      assertTrue(text.contains(master.fingerprint().toHex()), text);
      assertTrue(text.contains(child.publicKey().toHex()), text);
      assertFalse(text.contains(Hex.encode(child.chainCode().expose())), text);
    }
  }

  @Test
  void textThatIsNotAnExtendedKeyIsRefusedBeforeDecoding() {
    List<String[]> cases =
        List.of(
            new String[] {"", "length"},
            new String[] {"xpub", "length"},
            new String[] {"1".repeat(113), "length"},
            new String[] {
              "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet0",
              "encoding"
            },
            new String[] {
              "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcetO",
              "encoding"
            },
            new String[] {
              "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet9",
              "checksum"
            },
            new String[] {
              "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi",
              "version"
            });
    for (String[] c : cases) {
      Bip32Exception e =
          assertThrows(Bip32Exception.class, () -> ExtendedPublicKey.parse(c[0]), c[0]);
      assertEquals(c[1], e.field(), e.getMessage());
    }
  }

  @Test
  void anXprvHandedToThePublicParserIsNamedAsSuch() {
    String xprv =
        "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi";
    Bip32Exception e = assertThrows(Bip32Exception.class, () -> ExtendedPublicKey.parse(xprv));
    assertEquals(
        "version: 0x0488ade4 is an extended private key (xprv/tprv); expected an extended public"
            + " key (xpub/tpub)",
        e.getMessage());
  }
}
