package dev.keep.schema.encoding;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one JSON configuration for Keep: strict on read, stable on write. Every JSON reader in the
 * project is built from {@link #builder()} (a test checks the sources), so none of them can be
 * configured to let a duplicated key through.
 */
public final class Json {
  /**
   * Unknown fields fail, so a typo in a client's body is an error rather than a silently ignored
   * field. Nulls are left out on write, so optional fields are absent, never {@code null}.
   */
  public static final ObjectMapper MAPPER =
      builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .build();

  private Json() {}

  /**
   * A mapper builder that refuses what two readers could read differently: a key given twice in
   * one object (RFC 8259 §4 leaves the meaning to the reader, and Jackson's trees keep the last
   * value, so what an operator reads and what Keep acts on could differ), and anything after the
   * document. Checked while parsing, so no reader sees the input before it is refused.
   */
  public static JsonMapper.Builder builder() {
    return JsonMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
  }

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
    }
  }
}
