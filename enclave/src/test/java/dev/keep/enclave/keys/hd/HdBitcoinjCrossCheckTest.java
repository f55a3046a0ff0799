package dev.keep.enclave.keys.hd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keep.enclave.keys.Network;
import dev.keep.schema.encoding.Hex;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.crypto.ChildNumber;
import org.bitcoinj.crypto.DeterministicKey;
import org.bitcoinj.crypto.HDKeyDerivation;
import org.junit.jupiter.api.Test;

/**
 * Property check against an independent implementation: bitcoinj's HDKeyDerivation (test scope
 * only) must agree with ours on random seeds and paths, for CKDpriv, N() and CKDpub. The random
 * seed is fixed and printed in every failure; set {@code -Dhd.seed=<n>} to try others.
 */
class HdBitcoinjCrossCheckTest {
  private static final long SEED = Long.getLong("hd.seed", 0x6b656570L);
  private static final int CASES = 150;

  @Test
  void randomSeedsAndPathsAgreeWithBitcoinj() {
    Random random = new Random(SEED);
    List<String> failures = new ArrayList<>();
    for (int n = 0; n < CASES; n++) {
      byte[] seed = new byte[16 + random.nextInt(49)];
      random.nextBytes(seed);
      DerivationPath hardenedPrefix = randomPath(random, 3, true);
      DerivationPath normalSuffix = randomPath(random, 3, false);
      String where =
          "hd.seed="
              + SEED
              + " case "
              + n
              + " seed "
              + Hex.encode(seed)
              + " path "
              + hardenedPrefix
              + " then "
              + normalSuffix
              + ": ";

      DeterministicKey theirs = HDKeyDerivation.createMasterPrivateKey(seed);
      for (int step : hardenedPrefix.childNumbers()) {
        theirs = HDKeyDerivation.deriveChildKey(theirs, new ChildNumber(step));
      }
      DeterministicKey theirsPublic = theirs.dropPrivateBytes();
      for (int step : normalSuffix.childNumbers()) {
        theirs = HDKeyDerivation.deriveChildKey(theirs, new ChildNumber(step));
        theirsPublic = HDKeyDerivation.deriveChildKey(theirsPublic, new ChildNumber(step));
      }

      try (ExtendedPrivateKey master = ExtendedPrivateKey.fromSeed(seed);
          ExtendedPrivateKey prefix = master.derive(hardenedPrefix);
          ExtendedPrivateKey leaf = prefix.derive(normalSuffix)) {
        if (!leaf.serialize(Network.MAINNET)
            .equals(theirs.serializePrivB58(BitcoinNetwork.MAINNET))) {
          failures.add(where + "CKDpriv xprv differs");
        }
        if (!leaf.neuter()
            .serialize(Network.TESTNET)
            .equals(theirs.serializePubB58(BitcoinNetwork.TESTNET))) {
          failures.add(where + "N(CKDpriv) tpub differs");
        }
        ExtendedPublicKey viaPublic = prefix.neuter().derive(normalSuffix);
        if (!viaPublic
            .serialize(Network.MAINNET)
            .equals(theirsPublic.serializePubB58(BitcoinNetwork.MAINNET))) {
          failures.add(where + "CKDpub xpub differs");
        }
        if (leaf.fingerprint().value() != theirs.getFingerprint()
            || leaf.parentFingerprint().value() != theirs.getParentFingerprint()) {
          failures.add(where + "fingerprints differ");
        }
      } catch (RuntimeException e) {
        failures.add(where + e);
      }
    }
    assertEquals(List.of(), failures);
  }

  /**
   * Up to {@code maxDepth} steps; indexes are small half the time and anywhere below 2^31
   * otherwise.
   */
  private static DerivationPath randomPath(Random random, int maxDepth, boolean hardened) {
    DerivationPath path = DerivationPath.ROOT;
    int depth = random.nextInt(maxDepth + 1);
    for (int i = 0; i < depth; i++) {
      int index = random.nextBoolean() ? random.nextInt(10) : random.nextInt(Integer.MAX_VALUE);
      boolean harden = hardened && random.nextInt(4) != 0; // mostly hardened, sometimes not
      path = harden ? path.hardenedChild(index) : path.child(index);
    }
    return path;
  }
}
