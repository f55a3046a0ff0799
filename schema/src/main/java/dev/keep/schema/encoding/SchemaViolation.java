package dev.keep.schema.encoding;

/**
 * A document did not satisfy its contract. {@link #field()} is the JSON path of the offending
 * field (for example {@code message}), or empty for the document as a whole. {@link #malformed()}
 * tells a document that is not JSON at all (unreadable, empty, a key given twice) from JSON that
 * breaks a rule: HTTP answers the first 400 and the second 422.
 */
public final class SchemaViolation extends Exception {
  private static final long serialVersionUID = 1L;
  private final String field;
  private final String rule;
  private final boolean malformed;

  public SchemaViolation(String field, String message) {
    this(field, message, false);
  }

  private SchemaViolation(String field, String message, boolean malformed) {
    super(field.isEmpty() ? message : field + ": " + message);
    this.field = field;
    this.rule = message;
    this.malformed = malformed;
  }

  /** The document could not be read as JSON; {@code field} names where, when known. */
  public static SchemaViolation malformed(String field, String message) {
    return new SchemaViolation(field, message, true);
  }

  public String field() {
    return field;
  }

  /** The message without the field's name in front. */
  public String rule() {
    return rule;
  }

  public boolean malformed() {
    return malformed;
  }

  /** The same violation, its field under {@code prefix} (for an item of a batch: {@code items[3]}). */
  public SchemaViolation under(String prefix) {
    String at = field.isEmpty() ? prefix : field.startsWith("[") ? prefix + field : prefix + "." + field;
    return new SchemaViolation(at, rule, malformed);
  }
}
