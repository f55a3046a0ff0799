package dev.keep.enclave.nostr;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.enclave.signing.SchnorrSignature;
import dev.keep.schema.encoding.Json;
import java.util.List;

/**
 * A signed Nostr event as NIP-01 §Events and signatures puts it on the wire. The id always matches
 * the other fields; the signature is not verified here: whoever makes the signature verifies it
 * against {@link #id()} and {@link #pubkey()} before building this.
 */
public record SignedEvent(
    EventId id,
    XOnlyPublicKey pubkey,
    long createdAt,
    int kind,
    List<List<String>> tags,
    String content,
    SchnorrSignature sig) {

  /**
   * @throws InvalidEventException when a field breaks an {@link UnsignedEvent} rule, or {@code id}
   *     is not the hash of the other fields' NIP-01 serialization
   */
  public SignedEvent {
    UnsignedEvent unsigned = new UnsignedEvent(pubkey, createdAt, kind, tags, content);
    tags = unsigned.tags();
    if (id == null || !id.equals(EventId.of(unsigned))) {
      throw new InvalidEventException("event.id", "does not match the NIP-01 serialization");
    }
    if (sig == null) {
      throw new InvalidEventException("event.sig", "missing");
    }
  }

  /** {@code event} with its id computed and {@code sig} attached. */
  public static SignedEvent of(UnsignedEvent event, SchnorrSignature sig) {
    return new SignedEvent(
        EventId.of(event),
        event.pubkey(),
        event.createdAt(),
        event.kind(),
        event.tags(),
        event.content(),
        sig);
  }

  /** The event without its id and signature. */
  public UnsignedEvent unsigned() {
    return new UnsignedEvent(pubkey, createdAt, kind, tags, content);
  }

  /**
   * The wire form, fields in the conventional order id, pubkey, created_at, kind, tags, content,
   * sig. Written as JSON it escapes control characters as JSON requires; that changes the text, not
   * the strings, so the id (defined over the NIP-01 serialization) still matches.
   */
  public ObjectNode toJson() {
    ObjectNode json = Json.MAPPER.createObjectNode();
    json.put("id", id.toHex());
    json.put("pubkey", pubkey.toHex());
    json.put("created_at", createdAt);
    json.put("kind", kind);
    ArrayNode tagArray = json.putArray("tags");
    for (List<String> tag : tags) {
      ArrayNode elements = tagArray.addArray();
      tag.forEach(elements::add);
    }
    json.put("content", content);
    json.put("sig", sig.toHex());
    return json;
  }
}
