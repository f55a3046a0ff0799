package dev.keep.api.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.StringJoiner;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code webhook-signature} header of the Standard Webhooks specification (1.0.0, "Signature
 * scheme" and "Webhook headers"): for each secret, {@code v1,} and the base64 of HMAC-SHA256 over
 * {@code {webhook-id}.{webhook-timestamp}.{body}}, keyed with the secret's decoded bytes; several
 * signatures are separated by single spaces, so that during a rotation a receiver holding either
 * secret verifies the delivery.
 */
public final class Signatures {
  private Signatures() {}

  /** The header value: one {@code v1,} entry per secret, in the order given. */
  public static String header(String messageId, long timestampSeconds, byte[] body, List<WebhookSecret> secrets) {
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("a delivery is signed with at least one secret");
    }
    // The id and timestamp are Keep's own, never the client's, and contain no '.', which would make
    // the signed content ambiguous (the specification's warning).
    if (messageId.indexOf('.') >= 0) {
      throw new IllegalArgumentException("a message id must not contain '.'");
    }
    byte[] prefix = (messageId + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8);
    StringJoiner header = new StringJoiner(" ");
    for (WebhookSecret secret : secrets) {
      header.add("v1," + Base64.getEncoder().encodeToString(hmac(secret, prefix, body)));
    }
    return header.toString();
  }

  private static byte[] hmac(WebhookSecret secret, byte[] prefix, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.bytes(), "HmacSHA256"));
      mac.update(prefix);
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
