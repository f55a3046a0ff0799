package dev.keep.api.webhooks;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Webhook secrets at rest: KMS {@code Encrypt} under the webhook key, with the tenant, the webhook
 * and the purpose in the encryption context, so a ciphertext copied to another webhook or tenant
 * does not decrypt (KMS binds the context as additional authenticated data). Nothing else stores a
 * secret: the API hands the plaintext to its owner once and keeps only the ciphertext.
 *
 * <p>The sender decrypts before it signs. A Lambda container sends many deliveries to the same
 * endpoints, so a decrypted secret is kept in memory for {@link #CACHED} (KMS requests per delivery
 * fall from one to nearly none); it never leaves the process and is wiped when evicted.
 */
public final class SecretBox {
  public static final Duration CACHED = Duration.ofMinutes(5);
  private static final int MAX_CACHED = 1_000;

  private final KmsClient kms;
  private final String keyId;
  private final Clock clock;
  private final Map<String, Cached> cache = new LinkedHashMap<>(64, 0.75f, true);

  private record Cached(byte[] secret, Instant until) {}

  public SecretBox(KmsClient kms, String keyId, Clock clock) {
    this.kms = kms;
    this.keyId = keyId;
    this.clock = clock;
  }

  static Map<String, String> context(String tenantId, String webhookId) {
    return Map.of("keep:purpose", "webhook-secret", "keep:tenant", tenantId, "keep:webhook", webhookId);
  }

  public byte[] seal(WebhookSecret secret, String tenantId, String webhookId) {
    byte[] plain = secret.copyOfBytes();
    try {
      return kms.encrypt(b -> b.keyId(keyId).plaintext(SdkBytes.fromByteArray(plain))
          .encryptionContext(context(tenantId, webhookId))).ciphertextBlob().asByteArray();
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  /** The secret in {@code ciphertext}; the caller destroys it when done. */
  public WebhookSecret open(byte[] ciphertext, String tenantId, String webhookId) {
    String cacheKey = tenantId + "/" + webhookId + "/" + Base64.getEncoder().encodeToString(ciphertext);
    Instant now = clock.instant();
    synchronized (cache) {
      Cached hit = cache.get(cacheKey);
      if (hit != null && hit.until().isAfter(now)) {
        return WebhookSecret.ofBytes(hit.secret().clone());
      }
    }
    byte[] plain = kms.decrypt(b -> b.keyId(keyId).ciphertextBlob(SdkBytes.fromByteArray(ciphertext))
        .encryptionContext(context(tenantId, webhookId))).plaintext().asByteArray();
    synchronized (cache) {
      Cached old = cache.put(cacheKey, new Cached(plain.clone(), now.plus(CACHED)));
      if (old != null) {
        Arrays.fill(old.secret(), (byte) 0);
      }
      while (cache.size() > MAX_CACHED) {
        var eldest = cache.entrySet().iterator();
        Arrays.fill(eldest.next().getValue().secret(), (byte) 0);
        eldest.remove();
      }
    }
    return WebhookSecret.ofBytes(plain);
  }
}
