package dev.keep.enclave.nostr;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.schema.api.JobRequestDecoder;
import dev.keep.schema.encoding.Json;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/**
 * A Nostr event before it is signed (NIP-01 §Events and signatures), with every field checked at
 * construction: a value of this type always has a NIP-01 serialization within Keep's limits.
 *
 * <p>It does not check that {@code pubkey} is a point on the curve, nor whose it is: the signer
 * must refuse an event whose pubkey is not its own key's x-only public key.
 *
 * @param pubkey the event creator's BIP-340 x-only public key
 * @param createdAt Unix time in seconds, 0 to 2^53-1 (so that JavaScript clients read it exactly)
 * @param kind 0 to 65535 (NIP-01: "integer between 0 and 65535")
 * @param tags each a non-empty list of strings (NIP-01 §Tags: "an array of one or more strings")
 * @param content any string with a UTF-8 encoding, that is, no unpaired surrogates
 */
public record UnsignedEvent(
    XOnlyPublicKey pubkey, long createdAt, int kind, List<List<String>> tags, String content) {
  public static final long MAX_CREATED_AT = (1L << 53) - 1;
  public static final int MAX_KIND = 65535;
  public static final int MAX_CONTENT_BYTES = JobRequestDecoder.MAX_EVENT_CONTENT_BYTES;
  public static final int MAX_TAGS = 2000;
  public static final int MAX_TAG_ELEMENTS = 100;
  /** Of the NIP-01 serialization, the bytes the id is the hash of. */
  public static final int MAX_SERIALIZED_BYTES = 256 * 1024;

  private static final String[] FIELDS = {"pubkey", "created_at", "kind", "tags", "content"};

  /**
   * @throws InvalidEventException naming the field and the rule it breaks
   */
  public UnsignedEvent {
    if (pubkey == null) {
      throw new InvalidEventException("event.pubkey", "missing");
    }
    checkRange("event.created_at", createdAt, 0, MAX_CREATED_AT);
    checkRange("event.kind", kind, 0, MAX_KIND);
    tags = copyTags(tags);
    if (content == null) {
      throw new InvalidEventException("event.content", "must be a string");
    }
    if (EventSerializer.utf8Length("event.content", content) > MAX_CONTENT_BYTES) {
      throw new InvalidEventException(
          "event.content", "longer than " + MAX_CONTENT_BYTES + " bytes of UTF-8");
    }
    // The id is computed over this serialization; refuse an event whose serialization is too big.
    EventSerializer.write(pubkey, createdAt, kind, tags, content, MAX_SERIALIZED_BYTES);
  }

  /**
   * Reads an unsigned event from JSON text. Duplicate keys are refused: a tree keeps only the last
   * one, so a client and Keep could otherwise read different events from the same text.
   *
   * @throws InvalidEventException when the text is not JSON or the event breaks a rule
   */
  public static UnsignedEvent parse(String json) {
    JsonNode node;
    try {
      node =
          Json.MAPPER
              .reader()
              .with(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
              .readTree(json);
    } catch (JsonProcessingException e) {
      // Jackson's message quotes the input; keep only where it failed.
      var at = e.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new InvalidEventException("event", "not valid JSON" + where);
    }
    return fromJson(node);
  }

  /**
   * Reads an unsigned event from a JSON object with exactly the fields {@code pubkey, created_at,
   * kind, tags, content}, each of its exact JSON type: integers are JSON integers, not strings or
   * numbers with a fraction or exponent.
   *
   * <p>{@code id} and {@code sig} are refused rather than ignored: Keep computes the id and makes
   * the signature, and a client sending its own id must not believe that id was used. A tree
   * cannot show duplicate keys; callers holding JSON text use {@link #parse(String)}.
   *
   * @throws InvalidEventException naming the field path and the rule, e.g. {@code
   *     "event.tags[3][0]: must be a string"}
   */
  public static UnsignedEvent fromJson(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new InvalidEventException("event", "must be a JSON object");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      switch (name) {
        case "pubkey", "created_at", "kind", "tags", "content" -> {}
        case "id", "sig" ->
            throw new InvalidEventException(
                "event." + name,
                "not allowed in an unsigned event; Keep computes the id and the signature");
        default -> throw new InvalidEventException("event." + printable(name), "unknown field");
      }
    }
    for (String field : FIELDS) {
      if (!node.has(field)) {
        throw new InvalidEventException("event." + field, "missing");
      }
    }
    return new UnsignedEvent(
        pubkey(node.get("pubkey")),
        integer("event.created_at", node.get("created_at"), 0, MAX_CREATED_AT),
        (int) integer("event.kind", node.get("kind"), 0, MAX_KIND),
        tags(node.get("tags")),
        string("event.content", node.get("content")));
  }

  private static XOnlyPublicKey pubkey(JsonNode node) {
    String hex = string("event.pubkey", node);
    // NIP-01: "32-bytes lowercase hex-encoded public key".
    boolean lowerHex = hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    if (hex.length() != 64 || !lowerHex) {
      throw new InvalidEventException("event.pubkey", "must be 64 lowercase hex digits");
    }
    return XOnlyPublicKey.of(HexFormat.of().parseHex(hex));
  }

  private static long integer(String path, JsonNode node, long min, long max) {
    if (!node.isIntegralNumber()) {
      throw new InvalidEventException(path, "must be a JSON integer");
    }
    if (!node.canConvertToLong()) {
      throw outOfRange(path, min, max);
    }
    long value = node.longValue();
    checkRange(path, value, min, max);
    return value;
  }

  private static String string(String path, JsonNode node) {
    if (!node.isTextual()) {
      throw new InvalidEventException(path, "must be a string");
    }
    return node.textValue();
  }

  private static List<List<String>> tags(JsonNode node) {
    if (!node.isArray()) {
      throw new InvalidEventException("event.tags", "must be an array");
    }
    checkTagCount(node.size());
    List<List<String>> tags = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      JsonNode tag = node.get(i);
      String path = "event.tags[" + i + "]";
      if (!tag.isArray()) {
        throw new InvalidEventException(path, "must be an array");
      }
      checkTagSize(path, tag.size());
      List<String> elements = new ArrayList<>(tag.size());
      for (int j = 0; j < tag.size(); j++) {
        elements.add(string(path + "[" + j + "]", tag.get(j)));
      }
      tags.add(elements);
    }
    return tags;
  }

  /** Checks every tag and returns an immutable deep copy. */
  private static List<List<String>> copyTags(List<List<String>> tags) {
    if (tags == null) {
      throw new InvalidEventException("event.tags", "must be an array");
    }
    checkTagCount(tags.size());
    List<List<String>> copy = new ArrayList<>(tags.size());
    for (int i = 0; i < tags.size(); i++) {
      List<String> tag = tags.get(i);
      String path = "event.tags[" + i + "]";
      if (tag == null) {
        throw new InvalidEventException(path, "must be an array");
      }
      checkTagSize(path, tag.size());
      for (int j = 0; j < tag.size(); j++) {
        String element = tag.get(j);
        if (element == null) {
          throw new InvalidEventException(path + "[" + j + "]", "must be a string");
        }
        EventSerializer.utf8Length(path + "[" + j + "]", element);
      }
      copy.add(List.copyOf(tag));
    }
    return List.copyOf(copy);
  }

  private static void checkTagCount(int count) {
    if (count > MAX_TAGS) {
      throw new InvalidEventException("event.tags", "more than " + MAX_TAGS + " tags");
    }
  }

  private static void checkTagSize(String path, int size) {
    // NIP-01 §Tags: "Each tag is an array of one or more strings".
    if (size == 0) {
      throw new InvalidEventException(path, "must not be empty");
    }
    if (size > MAX_TAG_ELEMENTS) {
      throw new InvalidEventException(path, "more than " + MAX_TAG_ELEMENTS + " elements");
    }
  }

  private static void checkRange(String path, long value, long min, long max) {
    if (value < min || value > max) {
      throw outOfRange(path, min, max);
    }
  }

  private static InvalidEventException outOfRange(String path, long min, long max) {
    return new InvalidEventException(path, "must be between " + min + " and " + max);
  }

  /** A client's field name, safe to put in a message or a log line. */
  private static String printable(String name) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < name.length() && i < 64; i++) {
      char c = name.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return name.length() > 64 ? out.append("...").toString() : out.toString();
  }
}
