package dev.keep.enclave.keys;

import dev.keep.enclave.keys.hd.DerivationPath;
import dev.keep.enclave.keys.hd.ExtendedPrivateKey;
import dev.keep.enclave.keys.hd.Fingerprint;
import java.util.Arrays;
import java.util.Optional;

/**
 * The secret half of a key: one secp256k1 secret, or a BIP-32 root. It hands out the secret for
 * a path as a {@link Lease} that wipes what was derived for it when closed.
 */
public sealed interface KeyMaterial extends AutoCloseable {

  /**
   * A secret to sign with, and its public key, for the length of one try-with-resources block.
   * The public key comes with it so that signing and answering do not recompute k·G.
   */
  final class Lease implements AutoCloseable {
    private final SecretKey key;
    private final PublicKey publicKey;
    private final boolean derived;

    Lease(SecretKey key, PublicKey publicKey, boolean derived) {
      this.key = key;
      this.publicKey = publicKey;
      this.derived = derived;
    }

    public SecretKey key() {
      return key;
    }

    public PublicKey publicKey() {
      return publicKey;
    }

    @Override
    public void close() {
      if (derived) {
        key.wipe();
      }
    }
  }

  /** The secret for {@code path} (null: the key itself). */
  Lease lease(DerivationPath path);

  /** The public forms at {@code path} (null: the key itself). */
  PublicForms publicForms(DerivationPath path, Network network);

  /** The compressed public key at {@code path} (null: the key itself), without the xpub. */
  PublicKey publicKey(DerivationPath path);

  /**
   * The BIP-32 fingerprint PSBT key origins name this key by (BIP-174 PSBT_IN_BIP32_DERIVATION:
   * "the master key fingerprint"), for an HD key; empty for a single key, which has no origin.
   */
  Optional<Fingerprint> fingerprint();

  /** The bytes the vault seals, for a key of {@code network}. The caller wipes the array. */
  byte[] serialize(Network network);

  @Override
  void close();

  /** Public forms of one key: compressed key, and for HD keys the extended public key. */
  record PublicForms(PublicKey publicKey, String xpub) {}

  /**
   * One secp256k1 key and its public key, computed once. It has no children: any path other than
   * none is refused.
   */
  record Single(SecretKey secret, PublicKey publicKey) implements KeyMaterial {
    /** k·G through libsecp256k1, as BIP-32 keys compute theirs. */
    public static Single of(SecretKey secret) {
      return new Single(secret, PublicKey.fromUncompressed(
          fr.acinq.secp256k1.Secp256k1.get().pubkeyCreate(secret.expose())));
    }

    @Override
    public Lease lease(DerivationPath path) {
      requireNoPath(path);
      return new Lease(secret, publicKey, false);
    }

    @Override
    public PublicForms publicForms(DerivationPath path, Network network) {
      requireNoPath(path);
      return new PublicForms(publicKey, null);
    }

    @Override
    public PublicKey publicKey(DerivationPath path) {
      requireNoPath(path);
      return publicKey;
    }

    @Override
    public Optional<Fingerprint> fingerprint() {
      return Optional.empty();
    }

    @Override
    public byte[] serialize(Network network) {
      return secret.expose().clone();
    }

    @Override
    public void close() {
      secret.wipe();
    }

    @Override
    public String toString() {
      return "Single[<redacted>]";
    }

    private static void requireNoPath(DerivationPath path) {
      if (path != null && path.depth() > 0) {
        throw new IllegalArgumentException("path: a single key has no children; omit the path");
      }
    }
  }

  /** A BIP-32 extended private key (a root, or an imported account key). */
  record Hd(ExtendedPrivateKey root) implements KeyMaterial {
    @Override
    public Lease lease(DerivationPath path) {
      if (path == null || path.depth() == 0) {
        return new Lease(root.secretKey(), root.publicKey(), false);
      }
      try (ExtendedPrivateKey child = root.derive(path)) {
        return new Lease(SecretKey.adopt(child.secretKey().expose().clone()), child.publicKey(), true);
      }
    }

    @Override
    public PublicForms publicForms(DerivationPath path, Network network) {
      if (path == null || path.depth() == 0) {
        return new PublicForms(root.publicKey(), root.neuter().serialize(network));
      }
      try (ExtendedPrivateKey child = root.derive(path)) {
        return new PublicForms(child.publicKey(), child.neuter().serialize(network));
      }
    }

    @Override
    public PublicKey publicKey(DerivationPath path) {
      if (path == null || path.depth() == 0) {
        return root.publicKey();
      }
      try (ExtendedPrivateKey child = root.derive(path)) {
        return child.publicKey();
      }
    }

    @Override
    public Optional<Fingerprint> fingerprint() {
      return Optional.of(root.fingerprint());
    }

    @Override
    public byte[] serialize(Network network) {
      return root.toPayload(network); // BIP-32's 78-byte layout, without Base58
    }

    @Override
    public void close() {
      root.close();
    }

    @Override
    public String toString() {
      return "Hd[<redacted>]";
    }
  }

  /** The inverse of {@link #serialize}: a 32-byte secret, or a BIP-32 payload. */
  static KeyMaterial deserialize(KeyConfig config, byte[] bytes) {
    try {
      return switch (config.type()) {
        case SINGLE -> Single.of(SecretKey.adopt(bytes.clone()));
        case HD -> new Hd(ExtendedPrivateKey.fromPayload(bytes.clone(), config.network()));
      };
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }
}
