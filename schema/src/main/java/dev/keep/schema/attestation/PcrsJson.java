package dev.keep.schema.attestation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.keep.schema.encoding.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an allowed PCR set from JSON, in either of two shapes:
 *
 * <pre>
 *   what {@code nitro-cli build-enclave} (and {@code describe-eif}) prints:
 *     {"Measurements": {"HashAlgorithm": "Sha384 { ... }", "PCR0": "hex", "PCR1": "hex", "PCR2": "hex"}}
 *   or flat:
 *     {"PCR0": "hex", "PCR1": "hex", "PCR2": "hex"}
 * </pre>
 *
 * Strict: keys are {@code PCR0}..{@code PCR31} and an optional {@code HashAlgorithm} that must
 * be Sha384; a value is exactly 96 hex digits; at least one PCR; no duplicate keys. Beside
 * {@code Measurements}, other top-level fields (describe-eif's EifVersion, ...) are ignored.
 */
public final class PcrsJson {
  private static final JsonMapper JSON = Json.builder().build();
  private static final Pattern PCR_KEY = Pattern.compile("PCR(0|[1-9][0-9]?)");

  private PcrsJson() {}

  /** The file is not a PCR set; the message names the field and the rule. */
  public static final class InvalidPcrsJson extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidPcrsJson(String message) {
      super(message);
    }
  }

  public static PcrSet read(Path file) throws IOException, InvalidPcrsJson {
    try {
      return parse(Files.readString(file));
    } catch (InvalidPcrsJson e) {
      throw new InvalidPcrsJson(file + ": " + e.getMessage());
    }
  }

  public static PcrSet parse(String json) throws InvalidPcrsJson {
    JsonNode top;
    try {
      top = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidPcrsJson("not JSON: " + e.getOriginalMessage());
    }
    if (top == null || !top.isObject()) {
      throw new InvalidPcrsJson("expected a JSON object");
    }
    if (top.has("Measurements")) {
      JsonNode measurements = top.get("Measurements");
      if (!measurements.isObject()) {
        throw new InvalidPcrsJson("Measurements: expected an object");
      }
      return pcrs(measurements, "Measurements.");
    }
    return pcrs(top, "");
  }

  private static PcrSet pcrs(JsonNode object, String prefix) throws InvalidPcrsJson {
    Map<Integer, Pcr> values = new TreeMap<>();
    for (Map.Entry<String, JsonNode> field : object.properties()) {
      String name = prefix + field.getKey();
      JsonNode value = field.getValue();
      if (field.getKey().equals("HashAlgorithm")) {
        // nitro-cli prints the Rust Debug form, "Sha384 { ... }".
        if (!value.isTextual() || !value.asText().matches("Sha384( \\{.*})?")) {
          throw new InvalidPcrsJson(name + ": " + value + ", expected Sha384");
        }
        continue;
      }
      Matcher key = PCR_KEY.matcher(field.getKey());
      if (!key.matches() || Integer.parseInt(key.group(1)) > PcrSet.MAX_INDEX) {
        throw new InvalidPcrsJson(name + ": unknown field; expected PCR0..PCR31 or HashAlgorithm");
      }
      if (!value.isTextual()) {
        throw new InvalidPcrsJson(name + ": " + value.getNodeType().toString().toLowerCase() + ", expected a hex string");
      }
      try {
        values.put(Integer.parseInt(key.group(1)), Pcr.fromHex(value.asText()));
      } catch (IllegalArgumentException e) {
        throw new InvalidPcrsJson(name + ": " + e.getMessage());
      }
    }
    if (values.isEmpty()) {
      throw new InvalidPcrsJson((prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1) + ": ")
          + "no PCR0..PCR31 field");
    }
    return PcrSet.of(values);
  }
}
