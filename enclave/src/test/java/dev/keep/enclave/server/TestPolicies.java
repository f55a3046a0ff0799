package dev.keep.enclave.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.schema.encoding.Json;

/** Policies for tests that are about something else than policies. */
public final class TestPolicies {
  private TestPolicies() {}

  /** Every job kind, no limit: what the local development policy allows. */
  public static final JsonNode ALLOW_ALL = parse(
      "{\"version\":1,\"rule\":{\"id\":\"dev-any-kind\",\"type\":\"allowed_kinds\","
          + "\"kinds\":[\"message\",\"nostr_event\",\"digest\",\"psbt\"]}}");

  static JsonNode parse(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
