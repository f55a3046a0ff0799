package dev.keep.schema.encoding;

/**
 * A document did not satisfy its contract. {@link #field()} is the JSON path of the offending
 * field (for example {@code message}), or empty for the document as a whole.
 */
public final class SchemaViolation extends Exception {
  private static final long serialVersionUID = 1L;
  private final String field;

  public SchemaViolation(String field, String message) {
    super(field.isEmpty() ? message : field + ": " + message);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
