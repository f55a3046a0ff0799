package dev.keep.enclave.keys;

import dev.keep.enclave.seal.KeyVault;
import dev.keep.enclave.seal.VaultException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The keys this enclave holds. A name is taken once: creating a key under a name that exists is
 * an error, never an overwrite. A new key is sealed into the {@link KeyVault} before it is added,
 * so a key that was reported as made survives a restart.
 */
public final class KeyStore {

  /** One key: its name, configuration, secret and whether it was disabled. */
  public static final class Entry {
    private final String keyId;
    private final KeyConfig config;
    private final String createdAt;
    private final KeyMaterial material;
    private volatile boolean disabled;

    Entry(String keyId, KeyConfig config, String createdAt, KeyMaterial material, boolean disabled) {
      this.keyId = keyId;
      this.config = config;
      this.createdAt = createdAt;
      this.material = material;
      this.disabled = disabled;
    }

    public String keyId() {
      return keyId;
    }

    public KeyConfig config() {
      return config;
    }

    public String createdAt() {
      return createdAt;
    }

    public KeyMaterial material() {
      return material;
    }

    public boolean disabled() {
      return disabled;
    }

    private KeyVault.Record record(boolean disabledFlag) {
      return new KeyVault.Record(keyId, config, disabledFlag, createdAt, material.serialize(config.network()));
    }

    @Override
    public String toString() {
      return "Entry[" + keyId + ", " + config + (disabled ? ", disabled" : "") + "]";
    }
  }

  /** The name is already used by another key. */
  public static final class KeyExistsException extends Exception {
    private static final long serialVersionUID = 1L;

    public KeyExistsException(String keyId) {
      super("keyId: a key named '" + keyId + "' exists; choose another name");
    }
  }

  /**
   * The key material is already held under another name. A copy would carry a fresh policy, fresh
   * counters and no admins, so whoever may import could step around the first key's limits.
   */
  public static final class SameMaterialException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String existingKeyId;

    SameMaterialException(String existingKeyId, KeyMaterial material) {
      super("secret: this key is already held as '" + existingKeyId + "' (" + describe(material)
          + "); a second copy would sign with its own policy and counters, so it is refused");
      this.existingKeyId = existingKeyId;
    }

    public String existingKeyId() {
      return existingKeyId;
    }

    private static String describe(KeyMaterial material) {
      PublicKey root = material.publicKey(null);
      return material.fingerprint()
          .map(f -> "same master key: fingerprint " + f.toHex() + ", public key " + root.toHex())
          .orElse("same public key " + root.toHex());
    }
  }

  private final ConcurrentHashMap<String, Entry> keys = new ConcurrentHashMap<>();
  /**
   * Each key's own public key (an HD key's root), to refuse a second copy of one secret. Two HD
   * keys with one root key and different chain codes are refused too: they sign with the same
   * root key.
   */
  private final ConcurrentHashMap<PublicKey, String> byPublicKey = new ConcurrentHashMap<>();
  private final KeyVault vault;

  private KeyStore(KeyVault vault) {
    this.vault = vault;
  }

  /** Where this store seals its keys; policy states are sealed beside them. */
  public KeyVault vault() {
    return vault;
  }

  /** A store that starts with every key the vault holds. */
  public static KeyStore open(KeyVault vault) throws VaultException {
    KeyStore store = new KeyStore(vault);
    for (KeyVault.Record r : vault.loadAll()) {
      KeyMaterial material = KeyMaterial.deserialize(r.config(), r.material());
      store.hold(new Entry(r.keyId(), r.config(), r.createdAt(), material, r.disabled()));
    }
    return store;
  }

  /** A store that keeps keys in memory only. */
  public static KeyStore inMemory() {
    return new KeyStore(KeyVault.MEMORY_ONLY);
  }

  public String describeVault() {
    return vault.describe();
  }

  /**
   * Adds a key made by {@code create}, which is called only when the name is free. The key is
   * sealed into the vault first; if that fails the secret is wiped and nothing is added.
   */
  public synchronized Entry add(String keyId, KeyConfig config, Supplier<KeyMaterial> create)
      throws KeyExistsException, SameMaterialException, VaultException {
    if (keys.containsKey(keyId)) {
      throw new KeyExistsException(keyId);
    }
    KeyMaterial material = create.get();
    String holder = byPublicKey.get(material.publicKey(null));
    if (holder != null) {
      SameMaterialException refused = new SameMaterialException(holder, material);
      material.close();
      throw refused;
    }
    Entry entry = new Entry(keyId, config, Instant.now().toString(), material, false);
    KeyVault.Record record = entry.record(false);
    try {
      vault.create(record);
    } catch (VaultException e) {
      material.close();
      if (e.keyExists()) {
        throw new KeyExistsException(keyId);
      }
      throw e;
    } finally {
      Arrays.fill(record.material(), (byte) 0);
    }
    hold(entry);
    return entry;
  }

  private void hold(Entry entry) {
    keys.put(entry.keyId(), entry);
    byPublicKey.putIfAbsent(entry.material().publicKey(null), entry.keyId());
  }

  /**
   * Holds a key that was sealed before and has just been unsealed: nothing is sealed again. A key
   * already held is kept as it is (a worker that restarts unseals every key again) and returned.
   */
  public synchronized Entry restore(KeyVault.Record record) {
    Entry held = keys.get(record.keyId());
    if (held != null) {
      return held;
    }
    KeyMaterial material = KeyMaterial.deserialize(record.config(), record.material());
    Entry entry = new Entry(record.keyId(), record.config(), record.createdAt(), material, record.disabled());
    hold(entry);
    return entry;
  }

  /** Disables a key for good: sealed first, then refused in memory. */
  public synchronized Entry disable(Entry entry) throws VaultException {
    KeyVault.Record record = entry.record(true);
    try {
      vault.update(record);
    } finally {
      Arrays.fill(record.material(), (byte) 0);
    }
    entry.disabled = true;
    return entry;
  }

  public Optional<Entry> find(String keyId) {
    return Optional.ofNullable(keys.get(keyId));
  }

  public List<Entry> list() {
    return keys.values().stream().sorted(Comparator.comparing(Entry::keyId)).toList();
  }

  public int size() {
    return keys.size();
  }

  /** Wipes every secret, for shutdown. */
  public void wipeAll() {
    keys.values().forEach(e -> e.material().close());
    keys.clear();
    byPublicKey.clear();
  }
}
