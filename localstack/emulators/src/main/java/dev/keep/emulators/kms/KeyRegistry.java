package dev.keep.emulators.kms;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/** All keys and aliases of one endpoint, for one region and account, held in a {@link KeyStore}. */
final class KeyRegistry {
  private final String region;
  private final String accountId;
  private final Clock clock;
  private final SecureRandom random;
  private final KeyStore store;

  KeyRegistry(String region, String accountId, Clock clock, SecureRandom random, KeyStore store) {
    this.region = region;
    this.accountId = accountId;
    this.clock = clock;
    this.random = random;
    this.store = store;
  }

  SecureRandom random() {
    return random;
  }

  Clock clock() {
    return clock;
  }

  String accountId() {
    return accountId;
  }

  /** A new enabled symmetric key with fresh random key material. */
  KmsKey create(String description, KeyPolicy policy) {
    String id = UUID.randomUUID().toString();
    byte[] material = new byte[32];
    random.nextBytes(material);
    SecretKey secret = new SecretKeySpec(material, "AES");
    Arrays.fill(material, (byte) 0); // SecretKeySpec keeps its own copy
    KmsKey key =
        new KmsKey(
            id,
            keyArn(id),
            accountId,
            Instant.now(clock),
            description,
            KmsKey.KeyState.ENABLED,
            policy,
            secret);
    store.put(key);
    return key;
  }

  /** Replaces the key policy of {@code key}. */
  KmsKey replacePolicy(KmsKey key, KeyPolicy policy) {
    KmsKey updated = key.withPolicy(policy);
    store.put(updated);
    return updated;
  }

  /** Points {@code aliasName} at an existing key; an alias, once made, is never silently moved. */
  void createAlias(String aliasName, KmsKey key) {
    if (!store.createAlias(aliasName, key.id())) {
      throw new KmsException(
          KmsError.ALREADY_EXISTS,
          "An alias with the name " + aliasArn(aliasName) + " already exists");
    }
  }

  /** The key a reference names, in any of its four forms. */
  KmsKey resolve(KeyReference reference) {
    String id =
        switch (reference) {
          case KeyReference.KeyId(String keyId) -> keyId;
          case KeyReference.KeyArn arn -> ours(arn.region(), arn.account()) ? arn.id() : null;
          case KeyReference.AliasName(String name) -> aliasTarget(name, aliasArn(name));
          case KeyReference.AliasArn arn ->
              ours(arn.region(), arn.account()) ? aliasTarget(arn.name(), arn.text()) : null;
        };
    KmsKey key = id == null ? null : store.key(id).orElse(null);
    if (key == null) {
      String shown = reference instanceof KeyReference.KeyId k ? keyArn(k.id()) : reference.text();
      throw new KmsException(KmsError.NOT_FOUND, "Key '" + shown + "' does not exist");
    }
    return key;
  }

  /** A key by its bare id, as a ciphertext names it; null if no such key. */
  KmsKey byId(String id) {
    return store.key(id).orElse(null);
  }

  private String aliasTarget(String aliasName, String shown) {
    return store
        .aliasTarget(aliasName)
        .orElseThrow(
            () -> new KmsException(KmsError.NOT_FOUND, "Alias " + shown + " is not found."));
  }

  private boolean ours(String arnRegion, String arnAccount) {
    return region.equals(arnRegion) && accountId.equals(arnAccount);
  }

  String keyArn(String id) {
    return "arn:aws:kms:" + region + ":" + accountId + ":key/" + id;
  }

  String aliasArn(String aliasName) {
    return "arn:aws:kms:" + region + ":" + accountId + ":" + aliasName;
  }
}
