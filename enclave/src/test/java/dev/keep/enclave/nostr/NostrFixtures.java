package dev.keep.enclave.nostr;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.schema.encoding.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Reads the JSON vectors under src/test/resources/nostr. */
final class NostrFixtures {
  private NostrFixtures() {}

  static JsonNode read(String name) {
    try (InputStream in = NostrFixtures.class.getResourceAsStream("/nostr/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource /nostr/" + name);
      }
      return Json.MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
