package dev.keep.enclave.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.enclave.keys.KeyStore;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.enclave.signing.Signer;
import dev.keep.schema.api.JobRequest;
import dev.keep.schema.api.JobRequestDecoder;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.encoding.SchemaViolation;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.ProtocolCodec;
import dev.keep.schema.protocol.ProtocolException;
import dev.keep.schema.tables.JobItemBudget;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The API and the enclave read job bodies with different code: the API with the published JSON
 * Schema and {@link JobRequestDecoder}, the enclave with its own parsers behind the frame codec.
 * Issue #14 found bodies the API accepted and the enclave refused ({@code created_at: 1.0}, an
 * unpaired surrogate). Here both read the same corpus ({@code contract/*.jsonl}), each case with
 * the verdict the specifications give, and must agree with it and with each other.
 *
 * <p>A case is the part of a job that the enclave parses, as raw JSON text, spliced unchanged
 * into a {@code POST /v1/jobs} body for the API and into a frame for the enclave. {@code $PUBKEY}
 * is the signing key's x-only key; {@code ${repeat:N:TEXT}} is TEXT N times.
 */
class JobBodyAgreementTest {
  private static final Pattern REPEAT = Pattern.compile("\\$\\{repeat:(\\d+):([^}]*)}");

  private final EnclaveService enclave =
      new EnclaveService(KeyStore.inMemory(), new Signer(new LibSecp256k1Engine(), new SecureRandom()), EnclaveMode.LOCAL);
  private final String pubkey;
  private int jobs;

  JobBodyAgreementTest() {
    var key = assertInstanceOf(EnclaveResponse.KeyInfo.class, enclave.handle(new EnclaveRequest.GenerateKey(
        "k", new EnclaveRequest.KeySpec("single", "testnet", false), TestPolicies.ALLOW_ALL)));
    pubkey = key.xOnly();
  }

  @Test
  void nostrEvents() throws IOException {
    check("contract/events.jsonl", "event",
        text -> "{\"keyId\":\"k\",\"kind\":\"nostr_event\",\"event\":" + text + "}",
        text -> "{\"type\":\"sign_event\",\"jobId\":\"J\",\"keyId\":\"k\",\"event\":" + text + ",\"path\":null,\"approvals\":null}",
        EnclaveResponse.EventSigned.class);
  }

  @Test
  void messages() throws IOException {
    check("contract/messages.jsonl", "message",
        text -> "{\"keyId\":\"k\",\"kind\":\"message\",\"message\":" + text + "}",
        text -> "{\"type\":\"sign_message\",\"jobId\":\"J\",\"keyId\":\"k\",\"message\":" + text
            + ",\"scheme\":\"bip340\",\"path\":null,\"approvals\":null}",
        EnclaveResponse.SchnorrSigned.class);
  }

  private void check(String corpus, String field, java.util.function.UnaryOperator<String> body,
      java.util.function.UnaryOperator<String> frameBody, Class<? extends EnclaveResponse> signed) throws IOException {
    List<String> disagreements = new ArrayList<>();
    int cases = 0;
    for (JsonNode c : read(corpus)) {
      cases++;
      String name = c.get("name").asText();
      JsonNode raw = c.get(field);
      // A message case is the value itself; an event case is the event's JSON text.
      String text = expand(field.equals("message") ? Json.write(raw.asText()) : raw.asText());
      boolean expected = c.get("verdict").asText().equals("accept");
      boolean apiExpected = c.has("api") ? c.get("api").asText().equals("accept") : expected;
      String api = apiVerdict(body.apply(text));
      String inside = enclaveVerdict(frameBody.apply(text), signed);
      if ((api == null) != apiExpected || (inside == null) != expected) {
        disagreements.add(name + ": expected " + (expected ? "accept" : "reject") + "; API "
            + (api == null ? "accepts" : "refuses (" + api + ")") + "; enclave "
            + (inside == null ? "accepts" : "refuses (" + inside + ")"));
      }
    }
    assertTrue(cases >= 8, corpus + " has its cases");
    assertEquals(List.of(), disagreements);
  }

  /** Null when the API would accept the body, else why not. */
  private static String apiVerdict(String body) {
    try {
      JobRequest request = JobRequestDecoder.decode(body);
      return JobItemBudget.refusal(request.kind(), Json.write(request).getBytes(StandardCharsets.UTF_8).length)
          .orElse(null);
    } catch (SchemaViolation e) {
      return e.getMessage();
    }
  }

  /** Null when the enclave signs the request the frame carries, else why not. */
  private String enclaveVerdict(String requestJson, Class<? extends EnclaveResponse> signed) {
    String frame = "{\"v\":1,\"id\":\"1\",\"body\":" + requestJson.replace("\"J\"", "\"agree-" + jobs++ + "\"") + ",\"state\":null}";
    EnclaveRequest request;
    try {
      request = ProtocolCodec.decodeRequest(frame.getBytes(StandardCharsets.UTF_8)).body();
    } catch (ProtocolException e) {
      return "frame: " + e.getMessage();
    }
    EnclaveResponse response = enclave.handle(request);
    return signed.isInstance(response) ? null : response.toString();
  }

  private String expand(String text) {
    Matcher m = REPEAT.matcher(text.replace("$PUBKEY_UPPER", pubkey.toUpperCase(java.util.Locale.ROOT))
        .replace("$PUBKEY", pubkey));
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(2).repeat(Integer.parseInt(m.group(1)))));
    }
    return m.appendTail(out).toString();
  }

  private static List<JsonNode> read(String resource) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (InputStream in = JobBodyAgreementTest.class.getClassLoader().getResourceAsStream(resource);
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (!line.isBlank()) {
          out.add(Json.MAPPER.readTree(line));
        }
      }
    }
    return out;
  }
}
