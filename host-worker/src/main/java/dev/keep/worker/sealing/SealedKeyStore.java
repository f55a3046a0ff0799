package dev.keep.worker.sealing;

import dev.keep.schema.protocol.SealedBlob;
import java.util.List;

/**
 * Where the host keeps what the enclave sealed. The host can neither read nor alter a blob; it
 * can only lose one or hand back an older one, so every write keeps the newest state and no write
 * replaces a key with another.
 */
public interface SealedKeyStore {

  /**
   * One key's blobs as filed: the key id it is filed under, its sealed key, and its newest sealed
   * policy state (null when it has none). The enclave opens the blobs only for that same key id.
   */
  record Stored(String keyId, SealedBlob key, SealedBlob state) {}

  /** Records a new key and its owner. A key id that exists is refused, never overwritten. */
  void createKey(SealedBlob key, String publicKey) throws SealedStoreException;

  /** Replaces an existing key's sealed record (it was disabled). */
  void updateKey(SealedBlob key) throws SealedStoreException;

  /** Keeps {@code state} unless a newer one (a higher sequence) is already stored. */
  void putState(SealedBlob state) throws SealedStoreException;

  /** The key's stored state; empty when it has none. */
  java.util.Optional<SealedBlob> state(String keyId) throws SealedStoreException;

  /**
   * Stores {@code next} only if the stored state is still {@code base} (null: none is stored), so
   * that a change decided on one state never overwrites one made on another.
   *
   * @return false, storing nothing, when the stored state is no longer {@code base}
   */
  boolean replaceState(SealedBlob next, SealedBlob base) throws SealedStoreException;

  /** Every stored key, in key id order. */
  List<Stored> all() throws SealedStoreException;

  /** Where the blobs are, for people. */
  String describe();

  /** Stores what one response sealed: keys first (a new key's record before its state), then states. */
  default void persist(List<SealedBlob> blobs) throws SealedStoreException {
    for (SealedBlob b : blobs) {
      if (b.kind().equals(SealedBlob.KEY)) {
        updateKey(b);
      }
    }
    for (SealedBlob b : blobs) {
      if (b.kind().equals(SealedBlob.STATE)) {
        putState(b);
      }
    }
  }
}
