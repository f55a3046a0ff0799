package dev.keep.emulators.kms;

import java.time.Instant;
import java.util.Objects;
import javax.crypto.SecretKey;

/**
 * One customer master key: its identity, metadata, key policy and the in-memory AES-256 key behind
 * it. Immutable; a change (a new policy, a state change) replaces the record in {@link
 * KeyRegistry}, so readers never see a half-updated key.
 */
record KmsKey(
    String id,
    String arn,
    String accountId,
    Instant creationDate,
    String description,
    KeyState state,
    KeyPolicy policy,
    SecretKey material) {

  /** The key states this endpoint can produce; AWS has more (PendingDeletion, ...). */
  enum KeyState {
    ENABLED("Enabled"),
    DISABLED("Disabled");

    static KeyState byWireName(String wireName) {
      for (KeyState state : values()) {
        if (state.wireName.equals(wireName)) {
          return state;
        }
      }
      throw new IllegalArgumentException("unknown key state " + wireName);
    }

    private final String wireName;

    KeyState(String wireName) {
      this.wireName = wireName;
    }

    String wireName() {
      return wireName;
    }
  }

  KmsKey {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(arn, "arn");
    Objects.requireNonNull(accountId, "accountId");
    Objects.requireNonNull(creationDate, "creationDate");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(material, "material");
  }

  /** This key with another key policy, everything else the same. */
  KmsKey withPolicy(KeyPolicy newPolicy) {
    return new KmsKey(id, arn, accountId, creationDate, description, state, newPolicy, material);
  }

  /** Cryptographic operations need an enabled key, as in AWS. */
  KmsKey requireEnabled() {
    if (state != KeyState.ENABLED) {
      throw new KmsException(KmsError.DISABLED, arn + " is disabled.");
    }
    return this;
  }

  /** Leaves the key material out, so a logged or printed key reveals nothing secret. */
  @Override
  public String toString() {
    return "KmsKey[" + arn + ", " + state.wireName() + "]";
  }
}
