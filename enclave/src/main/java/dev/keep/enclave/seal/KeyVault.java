package dev.keep.enclave.seal;

import dev.keep.enclave.keys.KeyConfig;
import java.util.List;
import java.util.Map;

/**
 * Where keys outlive the enclave's memory, always sealed. The store writes a key here before it
 * reports the key as made, so a key that was announced is a key that survives a restart.
 */
public interface KeyVault {

  /**
   * A key's record. {@code material} is the secret, serialised by the key store; the vault seals
   * it and the caller wipes the array.
   */
  record Record(String keyId, KeyConfig config, boolean disabled, String createdAt, byte[] material) {
    @Override
    public String toString() {
      return "Record[" + keyId + ", " + config + ", disabled=" + disabled + ", material=<redacted>]";
    }
  }

  /** Stores a new key; a name that exists is refused, never overwritten. */
  void create(Record record) throws VaultException;

  /** Replaces an existing key's record (to disable it). */
  void update(Record record) throws VaultException;

  /** Every stored key, unsealed. The caller owns and wipes the material arrays. */
  List<Record> loadAll() throws VaultException;

  /**
   * Replaces {@code keyId}'s policy state (its policy and counters, serialised by the caller),
   * sealed like the key. The write is durable before this returns, so a charge that was made
   * survives a restart.
   */
  void storeState(String keyId, byte[] state) throws VaultException;

  /** Every key's policy state, unsealed, by key id. */
  Map<String, byte[]> loadStates() throws VaultException;

  /** Where the keys are, for people: a directory, or "memory only". */
  String describe();

  /** Whether anything written here outlives the process; callers skip serialising when not. */
  default boolean persists() {
    return true;
  }

  /** Keeps nothing: keys live as long as the enclave process. */
  KeyVault MEMORY_ONLY =
      new KeyVault() {
        @Override
        public void create(Record record) {}

        @Override
        public void update(Record record) {}

        @Override
        public List<Record> loadAll() {
          return List.of();
        }

        @Override
        public void storeState(String keyId, byte[] state) {}

        @Override
        public Map<String, byte[]> loadStates() {
          return Map.of();
        }

        @Override
        public String describe() {
          return "memory only (keys are lost when the enclave stops)";
        }

        @Override
        public boolean persists() {
          return false;
        }
      };
}
