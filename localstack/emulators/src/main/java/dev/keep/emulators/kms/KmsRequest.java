package dev.keep.emulators.kms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * One request body, with typed, validated access to its fields. Every failure is a
 * ValidationException naming the field, so a client learns what to fix.
 */
final class KmsRequest {
  private final ObjectNode body;
  // Where this object sits in the request, e.g. "Recipient.", so errors name the full path.
  private final String prefix;

  KmsRequest(ObjectNode body) {
    this(body, "");
  }

  private KmsRequest(ObjectNode body, String prefix) {
    this.body = body;
    this.prefix = prefix;
  }

  /** A nested structure such as {@code Recipient}, empty when absent. */
  Optional<KmsRequest> optionalObject(String field) {
    if (!has(field)) {
      return Optional.empty();
    }
    JsonNode node = body.get(field);
    if (!node.isObject()) {
      throw KmsException.validation(path(field), "Member must be a structure");
    }
    return Optional.of(new KmsRequest((ObjectNode) node, path(field) + "."));
  }

  /** The field's full name in the request, for error messages. */
  String path(String field) {
    return prefix + field;
  }

  boolean has(String field) {
    JsonNode node = body.get(field);
    return node != null && !node.isNull();
  }

  String requiredString(String field, int minLength, int maxLength) {
    return optionalString(field, minLength, maxLength).orElseThrow(() -> missing(field));
  }

  Optional<String> optionalString(String field, int minLength, int maxLength) {
    if (!has(field)) {
      return Optional.empty();
    }
    JsonNode node = body.get(field);
    if (!node.isTextual()) {
      throw KmsException.validation(path(field), "Member must be a string");
    }
    String value = node.textValue();
    if (value.length() < minLength || value.length() > maxLength) {
      throw KmsException.validation(
          path(field), "Member must have length between " + minLength + " and " + maxLength);
    }
    return Optional.of(value);
  }

  /** A base64 blob, decoded, with its decoded length checked. */
  byte[] requiredBlob(String field, int minBytes, int maxBytes) {
    String text = requiredString(field, 1, Integer.MAX_VALUE);
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw KmsException.validation(path(field), "Member must be valid base64");
    }
    if (bytes.length < minBytes || bytes.length > maxBytes) {
      throw KmsException.validation(
          path(field),
          "Member must have length between " + minBytes + " and " + maxBytes + " bytes");
    }
    return bytes;
  }

  OptionalInt optionalInt(String field, int min, int max) {
    if (!has(field)) {
      return OptionalInt.empty();
    }
    JsonNode node = body.get(field);
    if (!node.canConvertToInt() || !node.isIntegralNumber()) {
      throw KmsException.validation(path(field), "Member must be an integer");
    }
    int value = node.intValue();
    if (value < min) {
      throw KmsException.validation(
          path(field), "Member must have value greater than or equal to " + min);
    }
    if (value > max) {
      throw KmsException.validation(
          path(field), "Member must have value less than or equal to " + max);
    }
    return OptionalInt.of(value);
  }

  Optional<Boolean> optionalBoolean(String field) {
    if (!has(field)) {
      return Optional.empty();
    }
    JsonNode node = body.get(field);
    if (!node.isBoolean()) {
      throw KmsException.validation(path(field), "Member must be a boolean");
    }
    return Optional.of(node.booleanValue());
  }

  /** {@code EncryptionContext}: a map of strings to strings, empty when absent. */
  EncryptionContext encryptionContext() {
    String field = "EncryptionContext";
    if (!has(field)) {
      return EncryptionContext.EMPTY;
    }
    JsonNode node = body.get(field);
    if (!node.isObject()) {
      throw KmsException.validation(path(field), "Member must be a map of strings to strings");
    }
    Map<String, String> pairs = new TreeMap<>();
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      if (!entry.getValue().isTextual()) {
        throw KmsException.validation(
            path(field) + "." + entry.getKey(), "Member must be a string");
      }
      pairs.put(entry.getKey(), entry.getValue().textValue());
    }
    return EncryptionContext.of(pairs);
  }

  /**
   * Fails for a field this endpoint does not implement, so a caller relying on it gets an error
   * rather than a silent no-op.
   */
  void rejectIfPresent(String field) {
    if (has(field)) {
      throw KmsException.unsupported(field);
    }
  }

  /**
   * For fields such as EncryptionAlgorithm or KeySpec, where this endpoint has only
   * SYMMETRIC_DEFAULT: any other value fails with {@code otherwise}.
   */
  void requireSymmetricDefault(String field, KmsError otherwise) {
    optionalString(field, 1, 64)
        .filter(value -> !value.equals("SYMMETRIC_DEFAULT"))
        .ifPresent(
            value -> {
              throw new KmsException(
                  otherwise, field + " " + value + " is not supported for this key");
            });
  }

  private KmsException missing(String field) {
    return KmsException.validation(path(field), "Member must not be null");
  }
}
