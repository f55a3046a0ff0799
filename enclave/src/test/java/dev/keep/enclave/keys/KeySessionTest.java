package dev.keep.enclave.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.keys.hd.DerivationPath;
import dev.keep.enclave.keys.hd.ExtendedPrivateKey;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A session derives through cached parents; it must give exactly what the key derives directly. */
class KeySessionTest {
  private final KeyMaterial hd = new KeyMaterial.Hd(ExtendedPrivateKey.fromSeed(new byte[] {
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}));

  @Test
  void publicKeysAndLeasesMatchDirectDerivation_atEveryDepth() {
    try (KeySession session = KeySession.open(hd)) {
      for (String p : new String[] {"m", "m/0", "m/86'/1'/0'/0/0", "m/86'/1'/0'/0/1", "m/86'/1'/0'/1/0", "m/84'/1'/0'/0/7"}) {
        DerivationPath path = DerivationPath.parse(p);
        PublicKey direct = hd.publicKey(path.depth() == 0 ? null : path);
        assertEquals(direct, session.publicKey(path), p);
        try (KeyMaterial.Lease fromSession = session.lease(path);
            KeyMaterial.Lease fromKey = hd.lease(path.depth() == 0 ? null : path)) {
          assertEquals(direct, fromSession.publicKey(), p);
          assertTrue(Arrays.equals(fromKey.key().expose(), fromSession.key().expose()), p);
        }
      }
    }
  }

  @Test
  void aDerivedLeaseIsWipedWhenClosed_andTheRootIsNot() {
    try (KeySession session = KeySession.open(hd)) {
      KeyMaterial.Lease child = session.lease(DerivationPath.parse("m/86'/1'/0'/0/0"));
      child.close();
      assertTrue(child.key().isWiped());
      KeyMaterial.Lease root = session.lease(DerivationPath.ROOT);
      root.close();
      assertTrue(!root.key().isWiped());
    }
  }

  @Test
  void aSingleKeyHasNoChildren() {
    KeyMaterial single = KeyMaterial.Single.of(SecretKey.adopt(new byte[] {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3}));
    try (KeySession session = KeySession.open(single)) {
      assertEquals(single.publicKey(null), session.publicKey(DerivationPath.ROOT));
      assertThrows(IllegalArgumentException.class, () -> session.publicKey(DerivationPath.parse("m/0")));
    }
  }
}
