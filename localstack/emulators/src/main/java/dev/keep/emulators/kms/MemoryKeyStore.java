package dev.keep.emulators.kms;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Keys and aliases in memory only: they vanish when the endpoint closes. */
final class MemoryKeyStore implements KeyStore {
  private final Map<String, KmsKey> keysById = new ConcurrentHashMap<>();
  private final Map<String, String> keyIdsByAlias = new ConcurrentHashMap<>();

  @Override
  public Optional<KmsKey> key(String id) {
    return Optional.ofNullable(keysById.get(id));
  }

  @Override
  public void put(KmsKey key) {
    keysById.put(key.id(), key);
  }

  @Override
  public Optional<String> aliasTarget(String aliasName) {
    return Optional.ofNullable(keyIdsByAlias.get(aliasName));
  }

  @Override
  public boolean createAlias(String aliasName, String keyId) {
    return keyIdsByAlias.putIfAbsent(aliasName, keyId) == null;
  }
}
