package dev.keep.enclave.keys;

import dev.keep.enclave.keys.hd.DerivationPath;
import dev.keep.enclave.keys.hd.ExtendedPrivateKey;
import dev.keep.enclave.signing.SigningEngine;
import java.util.Arrays;

/**
 * The secret half of a key: one secp256k1 secret, or a BIP-32 root. It hands out the secret for
 * a path as a {@link Lease} that wipes what was derived for it when closed.
 */
public sealed interface KeyMaterial extends AutoCloseable {

  /** A secret to sign with, for the length of one try-with-resources block. */
  final class Lease implements AutoCloseable {
    private final SecretKey key;
    private final boolean derived;

    private Lease(SecretKey key, boolean derived) {
      this.key = key;
      this.derived = derived;
    }

    public SecretKey key() {
      return key;
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
  PublicForms publicForms(DerivationPath path, SigningEngine engine, Network network);

  /** The bytes the vault seals, for a key of {@code network}. The caller wipes the array. */
  byte[] serialize(Network network);

  @Override
  void close();

  /** Public forms of one key: compressed key, and for HD keys the extended public key. */
  record PublicForms(PublicKey publicKey, String xpub) {}

  /** One secp256k1 key. It has no children: any path other than none is refused. */
  record Single(SecretKey secret) implements KeyMaterial {
    @Override
    public Lease lease(DerivationPath path) {
      requireNoPath(path);
      return new Lease(secret, false);
    }

    @Override
    public PublicForms publicForms(DerivationPath path, SigningEngine engine, Network network) {
      requireNoPath(path);
      return new PublicForms(engine.publicKey(secret), null);
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
        return new Lease(root.secretKey(), false);
      }
      ExtendedPrivateKey child = root.derive(path);
      SecretKey copy = SecretKey.adopt(child.secretKey().expose().clone());
      child.close();
      return new Lease(copy, true);
    }

    @Override
    public PublicForms publicForms(DerivationPath path, SigningEngine engine, Network network) {
      if (path == null || path.depth() == 0) {
        return new PublicForms(root.publicKey(), root.neuter().serialize(network));
      }
      try (ExtendedPrivateKey child = root.derive(path)) {
        return new PublicForms(child.publicKey(), child.neuter().serialize(network));
      }
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
        case SINGLE -> new Single(SecretKey.adopt(bytes.clone()));
        case HD -> new Hd(ExtendedPrivateKey.fromPayload(bytes.clone(), config.network()));
      };
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }
}
