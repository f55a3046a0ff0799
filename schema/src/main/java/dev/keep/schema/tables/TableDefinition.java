package dev.keep.schema.tables;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A DynamoDB table kept as data ({@code keep/tables/*.json}): the local stack creates tables from
 * it, and the SAM template is checked against it.
 */
@JsonIgnoreProperties({"description"})
public record TableDefinition(
    String name,
    Attribute partitionKey,
    Attribute sortKey,
    List<Index> globalSecondaryIndexes,
    String stream,
    String ttl) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{3,255}");

  public TableDefinition {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("name: must match " + NAME.pattern());
    }
    Objects.requireNonNull(partitionKey, "partitionKey");
    globalSecondaryIndexes = globalSecondaryIndexes == null ? List.of() : List.copyOf(globalSecondaryIndexes);
    if (stream != null && !List.of("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY").contains(stream)) {
      throw new IllegalArgumentException("stream: unknown view type " + stream);
    }
    if (ttl != null && ttl.isBlank()) {
      throw new IllegalArgumentException("ttl: names the expiry attribute (epoch seconds) or is absent");
    }
  }

  /** The attribute DynamoDB's TTL deletes expired items by (epoch seconds), if the table has one. */
  public Optional<String> ttlAttribute() {
    return Optional.ofNullable(ttl);
  }

  public Optional<Attribute> sortKeyIfAny() {
    return Optional.ofNullable(sortKey);
  }

  /** The same table under another name, e.g. with a test's or a deployment's prefix. */
  public TableDefinition withName(String newName) {
    return new TableDefinition(newName, partitionKey, sortKey, globalSecondaryIndexes, stream, ttl);
  }

  public Optional<String> streamViewType() {
    return Optional.ofNullable(stream);
  }

  /** A key attribute: its name and DynamoDB scalar type (S, N or B). */
  public record Attribute(String name, String type) {
    public Attribute {
      Objects.requireNonNull(name, "name");
      if (!List.of("S", "N", "B").contains(type)) {
        throw new IllegalArgumentException("type: must be S, N or B, got " + type);
      }
    }
  }

  /** A global secondary index. {@code projection} is ALL or KEYS_ONLY. */
  public record Index(String name, Attribute partitionKey, Attribute sortKey, String projection) {
    public Index {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(partitionKey, "partitionKey");
      if (!List.of("ALL", "KEYS_ONLY").contains(projection)) {
        throw new IllegalArgumentException("projection: must be ALL or KEYS_ONLY");
      }
    }

    public Optional<Attribute> sortKeyIfAny() {
      return Optional.ofNullable(sortKey);
    }
  }
}
