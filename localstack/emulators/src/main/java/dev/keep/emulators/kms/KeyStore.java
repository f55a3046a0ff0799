package dev.keep.emulators.kms;

import java.util.Optional;

/**
 * Where an endpoint's keys and aliases live: in memory ({@link MemoryKeyStore}, the default) or in
 * a directory that several endpoint processes may share ({@link DirectoryKeyStore}).
 */
interface KeyStore {
  /** The key with this id (a UUID), if there is one. */
  Optional<KmsKey> key(String id);

  /** Stores a new key, or replaces a key with the same id (a new policy). */
  void put(KmsKey key);

  /** The id of the key {@code aliasName} ("alias/...") points at, if the alias exists. */
  Optional<String> aliasTarget(String aliasName);

  /** Points {@code aliasName} at {@code keyId} unless the alias exists; false if it does. */
  boolean createAlias(String aliasName, String keyId);
}
