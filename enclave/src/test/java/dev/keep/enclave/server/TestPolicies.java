package dev.keep.enclave.server;

import dev.keep.schema.encoding.Json;

/**
 * Policies for tests that are about something else than policies. A policy travels as its text,
 * as an operator wrote it; {@link #parse} only checks that a test's text is JSON.
 */
public final class TestPolicies {
  private TestPolicies() {}

  /** Every job kind, no limit: what the local development policy allows. */
  public static final String ALLOW_ALL = parse(
      "{\"version\":1,\"rule\":{\"id\":\"dev-any-kind\",\"type\":\"allowed_kinds\","
          + "\"kinds\":[\"message\",\"nostr_event\",\"digest\",\"psbt\"]}}");

  static String parse(String json) {
    try {
      Json.MAPPER.readTree(json);
      return json;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
