package dev.keep.local.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.keep.schema.encoding.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The demo's webhook receiver: a JDK HttpServer on loopback that checks every delivery as a
 * Standard Webhooks receiver must (HMAC-SHA256 over {@code id.timestamp.body} with the secret,
 * compared in constant time, against any of the space-separated {@code v1,} signatures; timestamp
 * within five minutes), with its own code, not Keep's. It answers 500 to the very first request it
 * gets, so one event is seen to be retried, and 200 to everything else.
 */
public final class WebhookReceiver implements AutoCloseable {
  /** One event as the receiver saw it: attempts, whether each verified, when it first arrived verified. */
  public record Seen(String messageId, String type, String jobId, String batchId, Instant eventTime, int attempts,
      boolean allVerified, Instant firstAccepted) {}

  private final HttpServer server;
  private volatile byte[] key;
  private final AtomicBoolean failedOne = new AtomicBoolean();
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();

  private WebhookReceiver(HttpServer server) {
    this.server = server;
  }

  /** The secret Keep gave when the receiver's URL was registered ({@code whsec_…}). */
  public void trust(String secret) {
    key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
  }

  public static WebhookReceiver start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
    server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    WebhookReceiver receiver = new WebhookReceiver(server);
    server.createContext("/keep-webhooks", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String id = exchange.getRequestHeaders().getFirst("webhook-id");
      String timestamp = exchange.getRequestHeaders().getFirst("webhook-timestamp");
      String signatures = exchange.getRequestHeaders().getFirst("webhook-signature");
      boolean verified = receiver.verifies(id, timestamp, signatures, body);
      boolean fail = receiver.failedOne.compareAndSet(false, true);
      int status = !verified ? 401 : fail ? 500 : 200;
      receiver.record(id, body, verified, status == 200);
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
    return receiver;
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/keep-webhooks";
  }

  public Map<String, Seen> seen() {
    return Map.copyOf(seen);
  }

  private void record(String id, byte[] body, boolean verified, boolean accepted) {
    if (id == null) {
      return;
    }
    JsonNode event;
    try {
      event = Json.MAPPER.readTree(body);
    } catch (IOException e) {
      event = Json.MAPPER.createObjectNode();
    }
    JsonNode data = event.path("data");
    String type = event.path("type").asText();
    Instant when = event.hasNonNull("timestamp") ? Instant.parse(event.get("timestamp").asText()) : null;
    Instant now = Instant.now();
    seen.merge(id, new Seen(id, type, data.path("jobId").asText(null), data.path("batchId").asText(null), when, 1,
            verified, accepted ? now : null),
        (a, b) -> new Seen(a.messageId(), a.type(), a.jobId(), a.batchId(), a.eventTime(), a.attempts() + 1,
            a.allVerified() && b.allVerified(), a.firstAccepted() != null ? a.firstAccepted() : b.firstAccepted()));
  }

  /** The Standard Webhooks check, in a dozen lines of JDK code. */
  boolean verifies(String id, String timestamp, String signatures, byte[] body) {
    if (key == null || id == null || timestamp == null || signatures == null
        || Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp)) > 300) {
      return false;
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      byte[] expected = mac.doFinal(body);
      for (String signature : signatures.split(" ")) {
        if (signature.startsWith("v1,") && MessageDigest.isEqual(expected, Base64.getDecoder().decode(signature.substring(3)))) {
          return true;
        }
      }
      return false;
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
