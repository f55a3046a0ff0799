package dev.keep.schema.encoding;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.util.Comparator;
import java.util.Set;

/**
 * A JSON Schema shipped in {@code keep/schema/}, used at the boundary so the published schema and
 * the enforced rules are one and the same document.
 */
public final class ContractSchema {
  public static final ContractSchema JOB_REQUEST = load("job-request.schema.json");
  public static final ContractSchema SIGNING_MESSAGE = load("signing-message.schema.json");

  private final String name;
  private final JsonSchema schema;

  private ContractSchema(String name, JsonSchema schema) {
    this.name = name;
    this.schema = schema;
  }

  private static ContractSchema load(String file) {
    String resource = "/keep/schema/" + file;
    try (InputStream in = ContractSchema.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing schema resource " + resource);
      }
      JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
      SchemaValidatorsConfig config =
          SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
      return new ContractSchema(file, factory.getSchema(in, config));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read schema " + resource, e);
    }
  }

  public String name() {
    return name;
  }

  /** Parses {@code json} and checks it against the schema. */
  public JsonNode parse(String json) throws SchemaViolation {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new SchemaViolation("", "body is not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || node.isMissingNode()) {
      throw new SchemaViolation("", "body is empty; expected a JSON object");
    }
    validate(node);
    return node;
  }

  /** Checks a parsed document; reports the first violation by path, so the report is stable. */
  public void validate(JsonNode node) throws SchemaViolation {
    Set<ValidationMessage> errors = schema.validate(node);
    if (errors.isEmpty()) {
      return;
    }
    ValidationMessage first =
        errors.stream()
            .min(
                Comparator.comparing((ValidationMessage m) -> fieldOf(m))
                    .thenComparing(ValidationMessage::getMessage))
            .orElseThrow();
    String field = fieldOf(first);
    throw new SchemaViolation(field, ruleOf(first, field));
  }

  private static String fieldOf(ValidationMessage m) {
    // The instance location is a JSON pointer ("/message"); for "required" and
    // "additionalProperties" it is the parent object and the property is the field in question.
    String pointer = m.getInstanceLocation().toString();
    StringBuilder field = new StringBuilder();
    for (String part : pointer.split("[/.$]")) {
      if (!part.isEmpty()) {
        field.append(field.isEmpty() ? "" : ".").append(part);
      }
    }
    String property = m.getProperty();
    if (property != null && !property.isEmpty() && !field.toString().endsWith(property)) {
      field.append(field.isEmpty() ? "" : ".").append(property);
    }
    return field.toString();
  }

  private static String ruleOf(ValidationMessage m, String field) {
    return switch (m.getType()) {
      case "required" -> "is required";
      case "additionalProperties" -> "is not a known field";
      case "pattern" ->
          field.equals("message")
              ? "must be an even number of hex digits"
              : "must match " + m.getArguments()[0];
      case "enum" -> "must be one of " + String.valueOf(m.getArguments()[0]).replace("\"", "");
      case "maxLength" -> "is longer than " + m.getArguments()[0] + " characters";
      case "type" -> "must be a " + m.getArguments()[1] + ", not " + m.getArguments()[0];
      default -> {
        String message = m.getMessage();
        int colon = message.indexOf(": ");
        yield colon >= 0 ? message.substring(colon + 2) : message;
      }
    };
  }
}
