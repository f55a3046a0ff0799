package dev.keep.api.webhooks;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * An endpoint's signing secret: 32 random bytes, shown to its owner once as {@code whsec_} and
 * their base64 (the Standard Webhooks serialisation; the specification asks for 24 to 64 bytes).
 * It prints as {@code <redacted>} and is wiped by {@link #destroy()}.
 */
public final class WebhookSecret {
  public static final String PREFIX = "whsec_";
  public static final int LENGTH = 32;
  private final byte[] bytes;
  private volatile boolean destroyed;

  private WebhookSecret(byte[] bytes) {
    this.bytes = bytes;
  }

  public static WebhookSecret random(SecureRandom random) {
    byte[] b = new byte[LENGTH];
    random.nextBytes(b);
    return new WebhookSecret(b);
  }

  /** Takes ownership of {@code bytes} (the caller must not keep them). */
  public static WebhookSecret ofBytes(byte[] bytes) {
    if (bytes.length < 24 || bytes.length > 64) {
      Arrays.fill(bytes, (byte) 0);
      throw new IllegalArgumentException("a webhook secret is 24 to 64 bytes");
    }
    return new WebhookSecret(bytes);
  }

  /** Reads {@code whsec_<base64>}; the prefix is optional, as receivers' libraries accept. */
  public static WebhookSecret parse(String text) {
    String b64 = text.startsWith(PREFIX) ? text.substring(PREFIX.length()) : text;
    return ofBytes(Base64.getDecoder().decode(b64));
  }

  /** The form its owner is shown, once. */
  public String reveal() {
    return PREFIX + Base64.getEncoder().encodeToString(bytes());
  }

  /** The key bytes themselves; the caller must not keep or change them. */
  byte[] bytes() {
    if (destroyed) {
      throw new IllegalStateException("the secret was destroyed");
    }
    return bytes;
  }

  public byte[] copyOfBytes() {
    return bytes().clone();
  }

  public void destroy() {
    destroyed = true;
    Arrays.fill(bytes, (byte) 0);
  }

  @Override
  public String toString() {
    return "<redacted>";
  }
}
