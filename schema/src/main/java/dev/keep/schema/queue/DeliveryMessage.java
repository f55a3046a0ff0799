package dev.keep.schema.queue;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * The body of a message on the webhook delivery queue. Like {@link SigningMessage} it carries only
 * an identity: the delivery lives in the {@code deliveries} table. {@code token} names the attempt
 * the message is for; a resend, a replay or the next attempt writes a new token, so older messages
 * find theirs stale and are dropped. {@code notBefore} lets a wait longer than SQS's 15-minute
 * delay be chained: a message received early is sent again with the rest of the wait.
 */
public record DeliveryMessage(@JsonProperty("v") int version, String deliveryId, String token, String notBefore) {
  public static final int VERSION = 1;

  public DeliveryMessage {
    Objects.requireNonNull(deliveryId, "deliveryId");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(notBefore, "notBefore");
  }

  public static DeliveryMessage of(String deliveryId, String token, String notBefore) {
    return new DeliveryMessage(VERSION, deliveryId, token, notBefore);
  }
}
