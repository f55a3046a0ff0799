package dev.keep.schema.api;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.oas.OpenApi31;
import dev.keep.schema.encoding.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAPI 3.1 document of Keep's HTTP API ({@code keep/openapi.yaml}), loaded once: served as
 * JSON by {@code GET /v1/openapi.json}, and used by tests to check that what the API answers is
 * what the document promises.
 *
 * <p>The job body has one source, {@code keep/schema/job-request.schema.json}, the schema the API
 * enforces. The YAML refers to it by its {@code $id}; loading bundles the file in place (JSON Schema
 * 2020-12 §9.3.1), and a schema marked {@code x-keep-extends} takes its keywords and adds its own
 * properties (a batch item is a job body plus {@code reference}, which {@code
 * additionalProperties: false} in the job schema would refuse under an {@code allOf}).
 */
public final class OpenApiDocument {
  static final String RESOURCE = "/keep/openapi.yaml";
  /** The schemas Keep ships that the document may name by {@code $id}. */
  static final List<String> SHIPPED = List.of("/keep/schema/job-request.schema.json");
  /**
   * The document's identifier for the validator: {@code $ref}s such as {@code
   * #/components/schemas/JobView} resolve against it. Never fetched; {@link Loaded#load} hands the
   * validator the document itself under this name and refuses any other it asks for.
   */
  static final String BASE = "https://keep.dev/schema/v1/openapi.json";

  /** The methods an OpenAPI 3.1 Path Item may have an operation for (§4.8.9.1). */
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  private OpenApiDocument() {}

  /** The document as compact JSON, what {@code GET /v1/openapi.json} serves. */
  public static String json() {
    return Loaded.INSTANCE.json;
  }

  /** The document as a tree (a copy: the loaded one is shared). */
  public static JsonNode tree() {
    return Loaded.INSTANCE.document.deepCopy();
  }

  /**
   * Checks an answer of the API against the document: the operation whose path template matches
   * {@code path} (concrete paths before templated ones, OpenAPI 3.1 §4.8.8), the response
   * documented for {@code status} (exact, then {@code 4XX}-style range, then {@code default},
   * §4.8.16), a content type it documents, and the body against that content's schema. A method
   * the path has no operation for is held to {@code x-keep-unlisted-methods} (405 only).
   *
   * @param path the request path; a query string is ignored
   * @param contentType the answer's {@code Content-Type}, parameters allowed; null when absent
   * @param body the answer's body; null or empty when there is none
   * @return one line per fault, naming the field and the rule; empty when the answer conforms
   */
  public static List<String> validateResponse(String method, String path, int status, String contentType, String body) {
    return Loaded.INSTANCE.validateResponse(method, path, status, contentType, body);
  }

  /**
   * Validates {@code json} against {@code components/schemas/<name>}: for request bodies, which
   * {@link #validateResponse} does not cover.
   */
  static List<String> validateSchema(String name, String json) {
    return Loaded.INSTANCE.validateBody(name, "/components/schemas/" + escape(name), json);
  }

  /** A node of the document and its JSON pointer, so a schema found through refs can be named. */
  private record Located(JsonNode node, String pointer) {}

  /** A Paths key, as the pattern that matches concrete paths; {@code {name}} is one segment. */
  private record PathTemplate(String template, Pattern pattern, int parameters) {
    private static final Pattern PARAMETER = Pattern.compile("\\{[^{}/]+}");

    static PathTemplate of(String template) {
      StringBuilder regex = new StringBuilder();
      Matcher m = PARAMETER.matcher(template);
      int at = 0;
      int parameters = 0;
      while (m.find()) {
        regex.append(Pattern.quote(template.substring(at, m.start()))).append("[^/]+");
        at = m.end();
        parameters++;
      }
      regex.append(Pattern.quote(template.substring(at)));
      return new PathTemplate(template, Pattern.compile(regex.toString()), parameters);
    }
  }

  /** The document and what validation needs, built on first use. */
  private static final class Loaded {
    static final Loaded INSTANCE = load();

    final JsonNode document;
    final String json;
    final List<PathTemplate> paths;
    final JsonSchemaFactory factory;
    final SchemaValidatorsConfig config;
    final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();

    private Loaded(JsonNode document, Map<String, String> shipped) {
      this.document = document;
      this.json = Json.write(document);
      List<PathTemplate> templates = new ArrayList<>();
      document.path("paths").fieldNames().forEachRemaining(p -> templates.add(PathTemplate.of(p)));
      this.paths = List.copyOf(templates);
      // The validator reads Schema Objects with the OpenAPI 3.1 base dialect: JSON Schema 2020-12
      // plus the OAS vocabulary, whose keywords (discriminator, example, xml, externalDocs) assert
      // nothing. Every variant of a discriminated oneOf pins its tag with const, so the verdict is
      // the one plain 2020-12 (the document's jsonSchemaDialect) gives; the discriminator only
      // narrows a failure's report to the variant the tag names (OAS 3.1 §4.8.25) instead of
      // every variant's faults.
      // The document's own members (openapi, info, paths, components, x-...) sit beside the
      // schemas the validator reads through fragments; they are known, not schema keywords, so they
      // are declared as annotations rather than logged as unknown on every start.
      List<com.networknt.schema.Keyword> documentMembers = new ArrayList<>();
      document.fieldNames().forEachRemaining(name -> documentMembers.add(new com.networknt.schema.NonValidationKeyword(name)));
      JsonMetaSchema dialect = JsonMetaSchema.builder(OpenApi31.getInstance()).keywords(documentMembers).build();
      this.factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012, b -> b
          .metaSchema(dialect)
          .defaultMetaSchemaIri(dialect.getIri())
          .schemaLoaders(loaders -> loaders.add(iri -> {
            String text = iri.toString().equals(BASE) ? json : shipped.get(iri.toString());
            if (text == null) {
              // Nothing is fetched: a $ref the document cannot resolve itself is a fault in it.
              throw new IllegalStateException("$ref " + iri + ": not part of the OpenAPI document (" + RESOURCE + ")");
            }
            return () -> new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
          })));
      // Formats assert (date-time above all): 2020-12 makes them annotations unless asked (§7.2.1).
      this.config = SchemaValidatorsConfig.builder()
          .formatAssertionsEnabled(true)
          .discriminatorKeywordEnabled(true)
          .locale(Locale.ENGLISH)
          .build();
    }

    static Loaded load() {
      ObjectNode document = (ObjectNode) readYaml(resource(RESOURCE));
      Map<String, String> shipped = new HashMap<>();
      Map<String, ObjectNode> byId = new HashMap<>();
      for (String file : SHIPPED) {
        String text = resource(file);
        ObjectNode schema;
        try {
          schema = (ObjectNode) Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
          throw new IllegalStateException(file + ": not JSON: " + e.getOriginalMessage(), e);
        }
        String id = schema.path("$id").asText("");
        if (id.isEmpty()) {
          throw new IllegalStateException(file + ": $id is required to bundle it");
        }
        shipped.put(id, text);
        byId.put(id, schema);
      }
      bundle(document, byId);
      return new Loaded(document, Map.copyOf(shipped));
    }

    /**
     * Puts each shipped schema where components/schemas names it by {@code $ref} alone, and
     * builds each {@code x-keep-extends} schema on the one it names.
     */
    private static void bundle(ObjectNode document, Map<String, ObjectNode> byId) {
      JsonNode schemas = document.path("components").path("schemas");
      if (!(schemas instanceof ObjectNode components)) {
        throw new IllegalStateException(RESOURCE + ": components.schemas is required");
      }
      Map<String, JsonNode> bundled = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> entry : components.properties()) {
        String at = "components.schemas." + entry.getKey();
        JsonNode schema = entry.getValue();
        if (schema.size() == 1 && schema.path("$ref").isTextual() && URI.create(schema.get("$ref").asText()).isAbsolute()) {
          String id = schema.get("$ref").asText();
          ObjectNode shipped = byId.get(id);
          if (shipped == null) {
            throw new IllegalStateException(at + ": $ref " + id + " names no schema Keep ships " + SHIPPED);
          }
          // It keeps its $id and $schema: an embedded resource (2020-12 §9.2.1, §8.1.1).
          bundled.put(entry.getKey(), shipped.deepCopy());
        } else if (schema.has("x-keep-extends")) {
          bundled.put(entry.getKey(), extend(at, (ObjectNode) schema, byId));
        }
      }
      bundled.forEach(components::set);
    }

    private static ObjectNode extend(String at, ObjectNode schema, Map<String, ObjectNode> byId) {
      String id = schema.path("x-keep-extends").asText("");
      ObjectNode base = byId.get(id);
      if (base == null) {
        throw new IllegalStateException(at + ".x-keep-extends: " + id + " names no schema Keep ships " + SHIPPED);
      }
      ObjectNode extended = base.deepCopy();
      // Not a second resource with the same $id, and not the base's own name and description.
      extended.remove(List.of("$id", "$schema", "title", "description"));
      for (Map.Entry<String, JsonNode> field : schema.properties()) {
        if (!field.getKey().equals("properties")) {
          extended.set(field.getKey(), field.getValue());
          continue;
        }
        ObjectNode properties = extended.withObjectProperty("properties");
        for (Map.Entry<String, JsonNode> property : field.getValue().properties()) {
          if (properties.has(property.getKey())) {
            throw new IllegalStateException(at + ".properties." + property.getKey() + ": x-keep-extends adds properties;"
                + " it does not replace those of " + id);
          }
          properties.set(property.getKey(), property.getValue());
        }
      }
      return extended;
    }

    List<String> validateResponse(String method, String path, int status, String contentType, String body) {
      String bare = path.indexOf('?') >= 0 ? path.substring(0, path.indexOf('?')) : path;
      String answer = method + " " + bare + " " + status;
      // Concrete paths before templated ones (OpenAPI 3.1 §4.8.8): fewest parameters wins.
      Optional<PathTemplate> template = paths.stream()
          .filter(t -> t.pattern().matcher(bare).matches())
          .min(Comparator.comparingInt(PathTemplate::parameters));
      String operation = method.toLowerCase(Locale.ROOT);
      Located response;
      if (template.isEmpty()) {
        // A path no route has: 404 only (x-keep-unlisted-paths).
        if (status != 404) {
          return List.of(answer + ": no path of the document matches " + bare + "; such a path is answered 404 only"
              + " (x-keep-unlisted-paths), not " + status);
        }
        response = resolve(new Located(document.at("/x-keep-unlisted-paths/response"), "/x-keep-unlisted-paths/response"));
        return validateContent(answer, response, contentType, body);
      }
      String name = method.toUpperCase(Locale.ROOT) + " " + template.get().template();
      String itemPointer = "/paths/" + escape(template.get().template());
      if (!METHODS.contains(operation) || !document.at(itemPointer).has(operation)) {
        if (status != 405) {
          return List.of(answer + ": " + name + " has no operation; a method a path lacks is answered 405 only"
              + " (x-keep-unlisted-methods), not " + status);
        }
        response = resolve(new Located(document.at("/x-keep-unlisted-methods/response"), "/x-keep-unlisted-methods/response"));
      } else {
        String responsesPointer = itemPointer + "/" + operation + "/responses";
        JsonNode responses = document.at(responsesPointer);
        String key = responseKey(responses, status);
        if (key == null) {
          List<String> documented = new ArrayList<>();
          responses.fieldNames().forEachRemaining(documented::add);
          return List.of(answer + ": status " + status + " is not documented for " + name + " (documented: "
              + String.join(", ", documented) + ")");
        }
        response = resolve(new Located(responses.get(key), responsesPointer + "/" + escape(key)));
      }
      return validateContent(name + " " + status, response, contentType, body);
    }

    /** The Responses key for a status: the code, its range ({@code 4XX}), or {@code default}. */
    private static String responseKey(JsonNode responses, int status) {
      String code = Integer.toString(status);
      String range = code.charAt(0) + "XX";
      for (String key : List.of(code, range, "default")) {
        if (responses.has(key)) {
          return key;
        }
      }
      return null;
    }

    private List<String> validateContent(String name, Located response, String contentType, String body) {
      JsonNode content = response.node().path("content");
      boolean hasBody = body != null && !body.isEmpty();
      if (content.isEmpty()) {
        return hasBody ? List.of(name + ": body: the response has no content, but the body has " + body.length()
            + " characters") : List.of();
      }
      List<String> documented = new ArrayList<>();
      content.fieldNames().forEachRemaining(documented::add);
      if (contentType == null || contentType.isBlank()) {
        return List.of(name + ": Content-Type: is required; documented: " + String.join(", ", documented));
      }
      String media = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
      String key = documented.stream().filter(d -> mediaMatches(d, media)).findFirst().orElse(null);
      if (key == null) {
        return List.of(name + ": Content-Type: '" + media + "' is not documented (documented: "
            + String.join(", ", documented) + ")");
      }
      if (content.get(key).has("x-keep-item-schema")) {
        // JSON Lines (the audit export): OpenAPI 3.1 has no item schema (3.2's itemSchema), so the
        // document names it in an extension, and each line is held to it.
        String pointer = response.pointer() + "/content/" + escape(key) + "/x-keep-item-schema";
        List<String> faults = new ArrayList<>();
        String[] lines = hasBody ? body.split("\n", -1) : new String[0];
        for (int i = 0; i < lines.length; i++) {
          if (i == lines.length - 1 && lines[i].isEmpty()) {
            break; // the newline that ends the last line
          }
          faults.addAll(validateBody(name + ": line " + (i + 1), pointer, lines[i]));
        }
        return faults;
      }
      if (!content.get(key).has("schema")) {
        return List.of();
      }
      if (!hasBody) {
        return List.of(name + ": body: is required by " + key + ", but empty");
      }
      return validateBody(name, response.pointer() + "/content/" + escape(key) + "/schema", body);
    }

    /** {@code body} against the schema at {@code pointer}, its $refs resolved in the document. */
    List<String> validateBody(String name, String pointer, String body) {
      if (document.at(pointer).isMissingNode()) {
        throw new IllegalStateException(pointer + ": no schema there in " + RESOURCE);
      }
      JsonNode instance;
      try {
        instance = Json.MAPPER.readTree(body);
      } catch (JsonProcessingException e) {
        return List.of(name + ": body: is not JSON: " + e.getOriginalMessage());
      }
      JsonSchema schema = schemas.computeIfAbsent(pointer,
          p -> factory.getSchema(SchemaLocation.of(BASE + "#" + fragment(p)), config));
      return report(name, schema.validate(instance));
    }

    /**
     * One line per fault, sorted and without repeats. A oneOf's own "not exactly one" line goes
     * when the variant's faults are reported beside it: they say what is wrong, it does not.
     */
    private List<String> report(String name, Set<ValidationMessage> messages) {
      boolean specific = messages.stream().anyMatch(m -> !"oneOf".equals(m.getType()));
      Set<String> lines = new TreeSet<>();
      for (ValidationMessage m : messages) {
        Optional<String> unmapped = unmapped(m);
        if (unmapped.isPresent()) {
          lines.add(name + ": " + unmapped.get());
        } else if (!specific || !"oneOf".equals(m.getType())) {
          lines.add(name + ": " + field(m) + ": " + m.getError());
        }
      }
      return List.copyOf(lines);
    }

    /**
     * For a oneOf whose discriminator names no variant, the tag and the values it may take: what
     * the validator says then ("no alternative could be chosen") names neither.
     */
    private Optional<String> unmapped(ValidationMessage m) {
      if (!"oneOf".equals(m.getType()) || !m.getSchemaLocation().getAbsoluteIri().toString().equals(BASE)) {
        return Optional.empty();
      }
      JsonNodePath location = m.getSchemaLocation().getFragment();
      StringBuilder parent = new StringBuilder();
      for (int i = 0; i < location.getNameCount() - 1; i++) {
        parent.append('/').append(escape(String.valueOf(location.getElement(i))));
      }
      JsonNode discriminator = document.at(parent.toString()).path("discriminator");
      String tag = discriminator.path("propertyName").asText("");
      JsonNode instance = m.getInstanceNode();
      if (tag.isEmpty() || instance == null || !instance.isObject()) {
        return Optional.empty();
      }
      List<String> values = new ArrayList<>();
      discriminator.path("mapping").fieldNames().forEachRemaining(values::add);
      JsonNode value = instance.get(tag);
      if (value != null && value.isTextual() && values.contains(value.asText())) {
        return Optional.empty();
      }
      String at = field(m);
      return Optional.of(at + "." + tag + ": " + (value == null ? "is required" : "is " + value)
          + "; must be one of " + values + " (the discriminator, OAS 3.1 §4.8.25)");
    }

    /**
     * The instance location as the API's errors name fields ({@code items[1].error.type}); for a
     * missing or undeclared property, the property itself.
     */
    private static String field(ValidationMessage m) {
      StringBuilder field = new StringBuilder();
      JsonNodePath at = m.getInstanceLocation();
      for (int i = 0; i < at.getNameCount(); i++) {
        Object element = at.getElement(i);
        if (element instanceof Integer index) {
          field.append('[').append(index).append(']');
        } else {
          field.append(field.isEmpty() ? "" : ".").append(element);
        }
      }
      String property = m.getProperty();
      if (property != null && !property.isEmpty()
          && Set.of("required", "additionalProperties", "unevaluatedProperties", "dependentRequired").contains(m.getType())) {
        field.append(field.isEmpty() ? "" : ".").append(property);
      }
      return field.isEmpty() ? "body" : "body." + field;
    }

    /** Follows Reference Objects ({@code $ref} to {@code #/...}) to the object they name (§4.8.23). */
    private Located resolve(Located located) {
      Located at = located;
      for (int hops = 0; at.node().has("$ref"); hops++) {
        String ref = at.node().get("$ref").asText();
        String fragment = URI.create(ref).getFragment();
        if (!ref.startsWith("#") || fragment == null || hops > 16) {
          throw new IllegalStateException(at.pointer() + ": $ref " + ref + " is not a reference within the document");
        }
        JsonNode target = document.at(JsonPointer.compile(fragment));
        if (target.isMissingNode()) {
          throw new IllegalStateException(at.pointer() + ": $ref " + ref + " names nothing in the document");
        }
        at = new Located(target, fragment);
      }
      if (at.node().isMissingNode()) {
        throw new IllegalStateException(located.pointer() + ": missing from the document");
      }
      return at;
    }

    private static boolean mediaMatches(String documented, String media) {
      String d = documented.toLowerCase(Locale.ROOT);
      return d.equals(media) || d.equals("*/*") || (d.endsWith("/*") && media.startsWith(d.substring(0, d.length() - 1)));
    }
  }

  /** One JSON Pointer reference token (RFC 6901 §4): {@code ~} and {@code /} escaped. */
  private static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }

  /**
   * A JSON Pointer as a URI fragment (RFC 6901 §6): characters a fragment may not hold, such as a
   * path template's braces, percent-encoded as UTF-8.
   */
  private static String fragment(String pointer) {
    StringBuilder out = new StringBuilder();
    for (byte b : pointer.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "-._~!$&'()*+,;=:@/?".indexOf(c) >= 0;
      out.append(allowed ? String.valueOf(c) : String.format("%%%02X", b & 0xff));
    }
    return out.toString();
  }

  /**
   * YAML read as strictly as Keep reads JSON ({@link Json#builder()}): a key given twice in one
   * mapping is refused, not resolved to the last value (YAML 1.2 §3.2.1.1 requires unique keys).
   */
  static JsonNode readYaml(String text) {
    ObjectMapper yaml = YAMLMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();
    try {
      JsonNode node = yaml.readTree(text);
      if (node == null || !node.isObject()) {
        throw new IllegalStateException(RESOURCE + ": not a YAML mapping");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(RESOURCE + ": " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()), e);
    }
  }

  private static String resource(String name) {
    try (InputStream in = OpenApiDocument.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name, e);
    }
  }
}
