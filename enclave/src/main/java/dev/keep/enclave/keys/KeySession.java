package dev.keep.enclave.keys;

import dev.keep.enclave.keys.hd.DerivationPath;
import dev.keep.enclave.keys.hd.ExtendedPrivateKey;
import dev.keep.enclave.keys.hd.Fingerprint;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One request's use of a key: public keys and signing leases by path. For an HD key the parent of
 * each path (m/86'/1'/0'/0 for m/86'/1'/0'/0/7) is derived once and kept until {@link #close()},
 * so a PSBT of many inputs under one account costs one BIP-32 step per input instead of the whole
 * path, twice (once to prove the script is ours, once to sign). The parents are secrets: closing
 * the session wipes them.
 */
public final class KeySession implements AutoCloseable {
  private final KeyMaterial material;
  private final Map<DerivationPath, ExtendedPrivateKey> parents = new HashMap<>();
  private final Map<DerivationPath, PublicKey> publicKeys = new HashMap<>();

  private KeySession(KeyMaterial material) {
    this.material = material;
  }

  public static KeySession open(KeyMaterial material) {
    return new KeySession(material);
  }

  /** See {@link KeyMaterial#fingerprint()}. */
  public Optional<Fingerprint> fingerprint() {
    return material.fingerprint();
  }

  /** The public key at {@code path} ({@link DerivationPath#ROOT}: the key itself). */
  public PublicKey publicKey(DerivationPath path) {
    PublicKey cached = publicKeys.get(path);
    if (cached != null) {
      return cached;
    }
    PublicKey key;
    if (path.depth() == 0 || !(material instanceof KeyMaterial.Hd)) {
      key = material.publicKey(path.depth() == 0 ? null : path);
    } else {
      try (ExtendedPrivateKey child = child(path)) {
        key = child.publicKey();
      }
    }
    publicKeys.put(path, key);
    return key;
  }

  /** The secret at {@code path} for one signature; close the lease to wipe it. */
  public KeyMaterial.Lease lease(DerivationPath path) {
    if (path.depth() == 0 || !(material instanceof KeyMaterial.Hd)) {
      return material.lease(path.depth() == 0 ? null : path);
    }
    try (ExtendedPrivateKey child = child(path)) {
      return new KeyMaterial.Lease(SecretKey.adopt(child.secretKey().expose().clone()), child.publicKey(), true);
    }
  }

  private ExtendedPrivateKey child(DerivationPath path) {
    ExtendedPrivateKey root = ((KeyMaterial.Hd) material).root();
    List<Integer> steps = path.childNumbers();
    DerivationPath parentPath = DerivationPath.of(steps.subList(0, steps.size() - 1));
    ExtendedPrivateKey parent = parents.computeIfAbsent(parentPath, root::derive);
    return parent.deriveChild(steps.get(steps.size() - 1));
  }

  @Override
  public void close() {
    parents.values().forEach(ExtendedPrivateKey::close);
    parents.clear();
  }
}
