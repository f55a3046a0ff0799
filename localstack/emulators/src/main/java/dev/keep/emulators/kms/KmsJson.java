package dev.keep.emulators.kms;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keep.schema.encoding.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Base64;

/** JSON on the KMS wire: base64 blobs and epoch-second timestamps, as AWS JSON 1.1 has them. */
final class KmsJson {
  static final ObjectMapper MAPPER =
      // Two values for one field would leave it to chance which one an operation sees.
      Json.builder()
          .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
          .build();

  private KmsJson() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  /** Seconds with milliseconds as a plain decimal number, e.g. {@code 1735689600.123}. */
  static BigDecimal epochSeconds(Instant instant) {
    return BigDecimal.valueOf(instant.toEpochMilli()).movePointLeft(3);
  }
}
