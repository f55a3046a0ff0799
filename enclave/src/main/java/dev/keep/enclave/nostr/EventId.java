package dev.keep.enclave.nostr;

import dev.keep.schema.encoding.Hex;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A Nostr event id: the SHA-256 of the event's NIP-01 serialization (NIP-01 §Events and
 * signatures, "To obtain the event.id, we sha256 the serialized event"). It is also the 32-byte
 * message the event's BIP-340 signature signs.
 */
public final class EventId {
  public static final int LENGTH = 32;

  private final byte[] bytes;

  private EventId(byte[] bytes) {
    this.bytes = bytes;
  }

  public static EventId of(UnsignedEvent event) {
    byte[] serialized = EventSerializer.serialize(event);
    try {
      return new EventId(MessageDigest.getInstance("SHA-256").digest(serialized));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  /** Lower-case hex, the form NIP-01 puts in the event's {@code id} field. */
  public String toHex() {
    return Hex.encode(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EventId other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
