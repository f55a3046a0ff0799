package dev.keep.enclave.keys;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The keys this enclave holds, in memory only. A name is taken once: creating a key under a name
 * that exists is an error, never an overwrite.
 */
public final class KeyStore {
  /** A key and its public half. */
  public record Entry(String keyId, SecretKey secret, XOnlyPublicKey publicKey) {
    @Override
    public String toString() {
      return "Entry[" + keyId + ", " + publicKey + "]";
    }
  }

  /** The name is already used by another key. */
  public static final class KeyExistsException extends Exception {
    private static final long serialVersionUID = 1L;

    public KeyExistsException(String keyId) {
      super("keyId: a key named '" + keyId + "' exists; choose another name");
    }
  }

  private final ConcurrentHashMap<String, Entry> keys = new ConcurrentHashMap<>();

  /**
   * Adds a key made by {@code create}, which is called only when the name is free. The secret is
   * wiped if the name was taken in the meantime.
   */
  public Entry add(String keyId, Supplier<Entry> create) throws KeyExistsException {
    if (keys.containsKey(keyId)) {
      throw new KeyExistsException(keyId);
    }
    Entry entry = create.get();
    Entry previous = keys.putIfAbsent(keyId, entry);
    if (previous != null) {
      entry.secret().wipe();
      throw new KeyExistsException(keyId);
    }
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
    keys.values().forEach(e -> e.secret().wipe());
    keys.clear();
  }
}
