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
import java.util.List;
import java.util.Set;

/**
 * A JSON Schema shipped in {@code keep/schema/}, used at the boundary so the published schema and
 * the enforced rules are one and the same document.
 *
 * <p>Beside the schema, every contract follows Keep's JSON rules, which JSON Schema cannot state:
 *
 * <ul>
 *   <li>no key twice in one object ({@link Json#builder()});
 *   <li>no unpaired UTF-16 surrogate in a string or a key: {@code "\ud800"} is valid JSON text but
 *       names no character, has no UTF-8 form, and the enclave refuses it (RFC 8259 §8.2);
 *   <li>no number with a fraction or an exponent: no contract has a fractional field, and JSON
 *       Schema counts {@code 1.0} as an integer (2020-12 Validation §6.1.1) where the enclave, which
 *       reads the token, does not.
 * </ul>
 */
public final class ContractSchema {
  public static final ContractSchema JOB_REQUEST = load("job-request.schema.json");
  public static final ContractSchema SIGNING_MESSAGE = load("signing-message.schema.json");
  public static final ContractSchema WEBHOOK_CREATE = load("webhook-create.schema.json");
  public static final ContractSchema WEBHOOK_PATCH = load("webhook-patch.schema.json");
  public static final ContractSchema WEBHOOK_REPLAY = load("webhook-replay.schema.json");
  public static final ContractSchema DELIVERY_MESSAGE = load("delivery-message.schema.json");

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

  /** Parses {@code json} and checks it against the schema and Keep's JSON rules. */
  public JsonNode parse(String json) throws SchemaViolation {
    JsonNode node = read(json);
    validate(node);
    return node;
  }

  /**
   * Parses {@code json} strictly (a key given twice is refused) without checking it against any
   * schema: for a document whose parts are checked one by one, such as a batch's items.
   *
   * @throws SchemaViolation {@link SchemaViolation#malformed() malformed}, naming where
   */
  public static JsonNode read(String json) throws SchemaViolation {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw SchemaViolation.malformed(duplicatedField(e), "body is not valid JSON: " + describe(e));
    }
    if (node == null || node.isMissingNode()) {
      throw SchemaViolation.malformed("", "body is empty; expected a JSON object");
    }
    return node;
  }

  /**
   * For a key given twice, its path ({@code event.content}), read from where the parser stood;
   * otherwise empty, as the document as a whole is at fault.
   */
  private static String duplicatedField(JsonProcessingException e) {
    if (e.getOriginalMessage() == null || !e.getOriginalMessage().startsWith("Duplicate field")
        || !(e.getProcessor() instanceof com.fasterxml.jackson.core.JsonParser parser)) {
      return "";
    }
    // Walk the parser's contexts from the duplicate up to the root: arrays give "[i]", objects
    // their member's name, so the path reads as the other errors' do ("items[3].message").
    List<String> parts = new java.util.ArrayList<>();
    for (var context = parser.getParsingContext(); context != null && !context.inRoot(); context = context.getParent()) {
      if (context.inArray()) {
        parts.addFirst("[" + Math.max(0, context.getCurrentIndex()) + "]");
      } else if (context.getCurrentName() != null) {
        parts.addFirst(Echo.of(context.getCurrentName(), 64));
      }
    }
    StringBuilder field = new StringBuilder();
    for (String part : parts) {
      field.append(field.isEmpty() || part.startsWith("[") ? "" : ".").append(part);
    }
    return field.toString();
  }

  /** Jackson's message without the input it may quote, and where it failed. */
  private static String describe(JsonProcessingException e) {
    String message = e.getOriginalMessage() == null ? "unreadable" : e.getOriginalMessage();
    var at = e.getLocation();
    String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    if (message.startsWith("Duplicate field")) {
      // "Duplicate field 'keyId'": the name is the client's own, so it is quoted printable and short.
      int open = message.indexOf('\'');
      int close = message.lastIndexOf('\'');
      String name = open >= 0 && close > open ? message.substring(open + 1, close) : "?";
      return "duplicate key '" + Echo.of(name, 64) + "'" + where + "; a key may appear once per object";
    }
    int nl = message.indexOf('\n');
    return Echo.of(nl >= 0 ? message.substring(0, nl) : message, 200) + where;
  }

  /**
   * Checks a parsed document against Keep's JSON rules, then the schema; reports the first
   * violation by path, so the report is stable.
   */
  public void validate(JsonNode node) throws SchemaViolation {
    checkKeepRules(node, "");
    Set<ValidationMessage> errors = schema.validate(node);
    if (errors.isEmpty()) {
      return;
    }
    ValidationMessage first =
        errors.stream()
            .min(
                Comparator.comparing((ValidationMessage m) -> fieldOf(m, node))
                    .thenComparing(ValidationMessage::getMessage))
            .orElseThrow();
    String field = fieldOf(first, node);
    throw new SchemaViolation(field, ruleOf(first, field, node));
  }

  /** The rules in the class comment, over every key and value; {@code path} as {@link #fieldOf}. */
  private static void checkKeepRules(JsonNode node, String path) throws SchemaViolation {
    if (node.isTextual()) {
      int at = Utf8.firstUnpairedSurrogate(node.textValue());
      if (at >= 0) {
        throw new SchemaViolation(path, "has an unpaired UTF-16 surrogate at character " + at
            + "; strings must be Unicode text (RFC 8259 §8.2)");
      }
    } else if (node.isNumber() && !node.isIntegralNumber()) {
      throw new SchemaViolation(path, "must be an integer written without a fraction or exponent");
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        checkKeepRules(node.get(i), path + "[" + i + "]");
      }
    } else if (node.isObject()) {
      for (var fields = node.fields(); fields.hasNext(); ) {
        var field = fields.next();
        String name = field.getKey();
        String at = join(path, Echo.of(name, 64));
        if (Utf8.firstUnpairedSurrogate(name) >= 0) {
          throw new SchemaViolation(at, "the key has an unpaired UTF-16 surrogate; keys must be Unicode text");
        }
        checkKeepRules(field.getValue(), at);
      }
    }
  }

  private static String join(String path, String part) {
    return path.isEmpty() ? part : path + "." + part;
  }

  /** What a job of {@code kind} carries instead, so a conflict error says which field wins. */
  private static String conflictHint(String kind) {
    return switch (kind) {
      case "message" -> " (a message job signs 'message')";
      case "digest" -> " (a digest job signs 'digest')";
      case "nostr_event" -> " (a nostr_event job signs 'event'; its path comes from 'path')";
      case "psbt" -> " (a psbt job signs 'psbt'; each input's path comes from the PSBT's own derivation data)";
      default -> "";
    };
  }

  private static String fieldOf(ValidationMessage m, JsonNode document) {
    // The instance location is a JSON pointer ("/event/tags/0"); for "required" and
    // "additionalProperties" it is the parent object and the property is the field in question.
    // Walking the document tells an array index ("[0]") from a member named "0".
    String pointer = m.getInstanceLocation().toString();
    StringBuilder field = new StringBuilder();
    JsonNode at = document;
    for (String part : pointer.split("[/.$]")) {
      if (part.isEmpty()) {
        continue;
      }
      if (at != null && at.isArray()) {
        field.append('[').append(part).append(']');
        at = part.matches("[0-9]{1,9}") ? at.get(Integer.parseInt(part)) : null;
      } else {
        field.append(field.isEmpty() ? "" : ".").append(part);
        at = at == null ? null : at.get(part);
      }
    }
    String property = m.getProperty();
    if (property != null && !property.isEmpty() && !field.toString().endsWith(property)) {
      field.append(field.isEmpty() ? "" : ".").append(property);
    }
    return field.toString();
  }

  private static String ruleOf(ValidationMessage m, String field, JsonNode document) {
    return switch (m.getType()) {
      // A property whose subschema is false: the field may not appear here. The schemas use this
      // for fields that conflict with the document's kind (a digest in a message job).
      case "false" -> {
        JsonNode kind = document.path("kind");
        yield kind.isTextual()
            ? "is not allowed in a '" + Echo.of(kind.textValue(), 32) + "' job"
                + conflictHint(kind.textValue())
            : "is not allowed here";
      }
      case "required" -> "is required";
      case "additionalProperties" -> "is not a known field";
      case "pattern" ->
          field.equals("message")
              ? "must be an even number of hex digits"
              : "must match " + m.getArguments()[0];
      case "enum" -> "must be one of " + String.valueOf(m.getArguments()[0]).replace("\"", "");
      case "maxLength" -> "is longer than " + m.getArguments()[0] + " characters";
      case "type" -> "must be a " + m.getArguments()[1] + ", not " + m.getArguments()[0];
      case "minLength" -> "is shorter than " + m.getArguments()[0] + " characters";
      case "maxItems" -> "has more than " + m.getArguments()[0] + " items";
      case "minItems" -> "has fewer than " + m.getArguments()[0] + " items";
      case "minimum" -> "must be at least " + m.getArguments()[0];
      case "maximum" -> "must be at most " + m.getArguments()[0];
      default -> {
        String message = m.getMessage();
        int colon = message.indexOf(": ");
        yield colon >= 0 ? message.substring(colon + 2) : message;
      }
    };
  }
}
