package dev.keep.schema.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Base64;
import java.util.Objects;

/**
 * Something the enclave sealed for the host to keep: a key ({@code kind} "key") or a key's policy
 * state ({@code kind} "state"). The host stores it and hands it back unchanged; it cannot read or
 * alter it.
 *
 * <p>The secret part is AES-256-GCM under a data key that only KMS can give back, and only to an
 * enclave whose attestation matches the KMS key policy (ARCHITECTURE.md, "Keys and sealing"). The
 * clear header fields are there so the host can file the blob; every one of them is in the GCM
 * associated data, so a blob edited or moved to another key id, tenant or sequence fails to open.
 *
 * @param kind "key" or "state"
 * @param keyId the key this blob belongs to
 * @param tenant the tenant that owns the key ("" when the host named none); also in the KMS
 *     encryption context
 * @param sequence for a state, increases with every change, so the host keeps the newest; 0 for a key
 * @param kmsKeyId the KMS key that made the data key (an ARN)
 * @param dataKey the data key as KMS encrypted it ({@code CiphertextBlob}, base64); opaque here
 * @param nonce the GCM nonce, 12 bytes, base64
 * @param ciphertext the GCM ciphertext and 16-byte tag, base64
 */
public record SealedBlob(
    @JsonProperty("v") int version,
    String kind,
    String keyId,
    String tenant,
    long sequence,
    String kmsKeyId,
    String dataKey,
    String nonce,
    String ciphertext) {
  public static final int VERSION = 1;
  public static final String KEY = "key";
  public static final String STATE = "state";

  /**
   * Largest sealed secret part, in base64 characters: a state is a policy (at most 64 KiB) and
   * counters of fixed size (a few KiB), whatever the key's history.
   */
  public static final int MAX_CIPHERTEXT_CHARS = 128 * 1024;

  public SealedBlob {
    if (version != VERSION) {
      throw new IllegalArgumentException("sealed.v: must be " + VERSION);
    }
    if (!KEY.equals(kind) && !STATE.equals(kind)) {
      throw new IllegalArgumentException("sealed.kind: must be key or state");
    }
    EnclaveRequest.requireKeyId(keyId);
    requireTenant(tenant);
    if (sequence < 0) {
      throw new IllegalArgumentException("sealed.sequence: must be >= 0");
    }
    if (kmsKeyId == null || kmsKeyId.isEmpty() || kmsKeyId.length() > 2048) {
      throw new IllegalArgumentException("sealed.kmsKeyId: must be a KMS key ARN of 1..2048 characters");
    }
    requireBase64("sealed.dataKey", dataKey, 1, 8192);
    requireBase64("sealed.nonce", nonce, 16, 16);
    requireBase64("sealed.ciphertext", ciphertext, 24, MAX_CIPHERTEXT_CHARS);
  }

  /** Tenants as the API names them; "" when a key belongs to none (operator keys). */
  public static String requireTenant(String tenant) {
    if (tenant == null || !(tenant.isEmpty() || EnclaveRequest.KEY_ID.matcher(tenant).matches())) {
      throw new IllegalArgumentException("tenant: must be empty or match " + EnclaveRequest.KEY_ID.pattern());
    }
    return tenant;
  }

  static void requireBase64(String field, String value, int minChars, int maxChars) {
    if (value == null || value.length() < minChars || value.length() > maxChars
        || !EnclaveRequest.BASE64.matcher(value).matches()) {
      throw new IllegalArgumentException(field + ": must be base64 of " + minChars + ".." + maxChars + " characters");
    }
    try {
      Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": not valid base64");
    }
  }

  public byte[] nonceBytes() {
    return Base64.getDecoder().decode(nonce);
  }

  public byte[] ciphertextBytes() {
    return Base64.getDecoder().decode(ciphertext);
  }

  public byte[] dataKeyBytes() {
    return Base64.getDecoder().decode(dataKey);
  }

  /** Same blob; the sealed parts print only their length. */
  @Override
  public String toString() {
    return "SealedBlob[" + kind + " " + keyId + " tenant=" + tenant + " seq=" + sequence + " kms=" + kmsKeyId
        + ", " + Objects.requireNonNullElse(ciphertext, "").length() + " chars]";
  }
}
