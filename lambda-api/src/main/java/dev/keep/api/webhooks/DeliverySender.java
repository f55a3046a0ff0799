package dev.keep.api.webhooks;

import dev.keep.schema.api.DeliveryView;
import dev.keep.schema.encoding.ContractSchema;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.encoding.SchemaViolation;
import dev.keep.schema.queue.DeliveryMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes one attempt at a delivery for each message of the delivery queue, and schedules the next.
 *
 * <p>An attempt is a POST of the stored body with the Standard Webhooks headers ({@code
 * webhook-id}, {@code webhook-timestamp}, {@code webhook-signature}, one {@code v1,} entry per live
 * secret), {@code content-type: application/json} and a {@code user-agent} naming Keep. It
 * succeeds on any 2xx within {@link Settings#timeout()}; redirects are not followed (a 3xx is a
 * failure, as the specification advises); 410 Gone disables the endpoint; anything else, a timeout,
 * a refused connection or an address the SSRF rules refuse is retried on the {@link RetrySchedule}.
 *
 * <p>The next attempt's message is sent before this attempt is recorded, under a new token: if the
 * record then fails (another attempt, a resend or a replay moved the delivery on) that message is
 * stale and dropped; if the process dies in between, this message comes back after its visibility
 * timeout and the attempt is made again. Delivery is therefore at least once per endpoint.
 */
public final class DeliverySender {
  private static final Logger LOG = LoggerFactory.getLogger(DeliverySender.class);
  public static final String USER_AGENT = "Keep-Webhooks/" + version();
  /** How much of an answer the log keeps. */
  public static final int RESPONSE_KEPT = 1024;

  /** Timeout per attempt; how long failures may last before the endpoint is disabled. */
  public record Settings(RetrySchedule schedule, Duration timeout, Duration disableAfter) {
    public static final Settings STANDARD = new Settings(RetrySchedule.STANDARD, Duration.ofSeconds(15), Duration.ofDays(5));
  }

  /** What became of a message. */
  public enum Outcome { SUCCEEDED, RETRY_SCHEDULED, FAILED, DISABLED_ENDPOINT, DEFERRED, STALE }

  private final WebhookStore store;
  private final DeliveryQueue queue;
  private final SecretBox secrets;
  private final EndpointRules rules;
  private final Settings settings;
  private final HttpClient http;
  private final Clock clock;

  public DeliverySender(WebhookStore store, DeliveryQueue queue, SecretBox secrets, EndpointRules rules, Settings settings,
      Clock clock) {
    this.store = store;
    this.queue = queue;
    this.secrets = secrets;
    this.rules = rules;
    this.settings = settings;
    this.clock = clock;
    this.http = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(settings.timeout())
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  private static String version() {
    String v = DeliverySender.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0" : v;
  }

  /**
   * Handles one queue message. Throws when the message should come back (DynamoDB or SQS failed);
   * returns normally when it is done with, whatever became of the delivery.
   *
   * @throws IllegalArgumentException for a body that is not a delivery message (it goes to the DLQ)
   */
  public Outcome process(String body) {
    DeliveryMessage message;
    try {
      message = Json.MAPPER.treeToValue(ContractSchema.DELIVERY_MESSAGE.parse(body), DeliveryMessage.class);
    } catch (SchemaViolation e) {
      throw new IllegalArgumentException("not a delivery message: " + e.getMessage(), e);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("not a delivery message", e);
    }
    Instant now = clock.instant();
    if (Instant.parse(message.notBefore()).isAfter(now.plusSeconds(1))) {
      // A wait longer than SQS's 15-minute delay: send it on for the rest.
      queue.send(message, now);
      return Outcome.DEFERRED;
    }
    Optional<Delivery> found = store.findDelivery(message.deliveryId());
    if (found.isEmpty() || !found.get().token().equals(message.token())
        || found.get().status() != Delivery.Status.PENDING) {
      return Outcome.STALE;
    }
    Delivery delivery = found.get();
    Optional<Webhook> endpoint = endpoint(delivery.webhookId(), now);
    if (endpoint.isEmpty()) {
      store.settle(delivery, Delivery.Status.FAILED, now);
      return Outcome.FAILED;
    }
    Webhook webhook = endpoint.get();
    if (webhook.disabled()) {
      store.settle(delivery, Delivery.Status.SKIPPED, now);
      return Outcome.DISABLED_ENDPOINT;
    }
    Attempted attempted = attempt(webhook, delivery, now);
    Instant done = clock.instant();
    if (attempted.succeeded()) {
      store.recordAttempt(delivery, attempted.log(), Delivery.Status.SUCCEEDED, delivery.step(), delivery.token(),
          delivery.nextAttemptAt(), done);
      if (webhook.failingSince() != null) {
        store.succeeded(webhook.webhookId());
        forget(webhook.webhookId());
      }
      return Outcome.SUCCEEDED;
    }
    if (attempted.gone()) {
      store.recordAttempt(delivery, attempted.log(), Delivery.Status.FAILED, delivery.step(), delivery.token(),
          delivery.nextAttemptAt(), done);
      store.disable(webhook.webhookId(), "the endpoint answered 410 Gone at " + done, done);
      forget(webhook.webhookId());
      return Outcome.FAILED;
    }
    Optional<Instant> since = store.failing(webhook.webhookId(), done);
    if (webhook.failingSince() == null) {
      forget(webhook.webhookId()); // so that this container's next success sees the run and ends it
    }
    if (since.isPresent() && !since.get().plus(settings.disableAfter()).isAfter(done)) {
      store.disable(webhook.webhookId(), "every attempt failed from " + since.get() + " to " + done + " ("
          + settings.disableAfter().toDays() + " days)", done);
      forget(webhook.webhookId());
    }
    Optional<Duration> wait = settings.schedule().after(delivery.step());
    if (wait.isEmpty()) {
      store.recordAttempt(delivery, attempted.log(), Delivery.Status.FAILED, delivery.step(), delivery.token(),
          delivery.nextAttemptAt(), done);
      return Outcome.FAILED;
    }
    String token = Delivery.newToken();
    Instant next = done.plus(wait.get());
    queue.send(DeliveryMessage.of(delivery.deliveryId(), token, next.toString()), done);
    store.recordAttempt(delivery, attempted.log(), Delivery.Status.PENDING, delivery.step() + 1, token, next.toString(),
        done);
    return Outcome.RETRY_SCHEDULED;
  }

  /**
   * How long the sender trusts an endpoint it has read: a container sends many deliveries to the
   * same endpoint, and one read of it per delivery was a fifth of the webhook path's DynamoDB
   * requests. A change to the endpoint (disabled, deleted, a new URL or secret) reaches the sender
   * within this; a rotation keeps the old secret valid for a day, so nothing fails to verify. A
   * success ends a run of failures only if the endpoint as read shows one, so a failure another
   * container recorded in the last 5 s can outlive a success: the five days then count from up to
   * 5 s before it.
   */
  public static final Duration ENDPOINT_CACHED = Duration.ofSeconds(5);

  private record CachedEndpoint(Optional<Webhook> webhook, Instant until) {}

  private final java.util.concurrent.ConcurrentHashMap<String, CachedEndpoint> endpoints =
      new java.util.concurrent.ConcurrentHashMap<>();

  private Optional<Webhook> endpoint(String webhookId, Instant now) {
    CachedEndpoint hit = endpoints.get(webhookId);
    if (hit != null && hit.until().isAfter(now)) {
      return hit.webhook();
    }
    Optional<Webhook> read = store.find(webhookId);
    if (endpoints.size() > 10_000) {
      endpoints.clear();
    }
    endpoints.put(webhookId, new CachedEndpoint(read, now.plus(ENDPOINT_CACHED)));
    return read;
  }

  /** The endpoint changed here (disabled, no longer failing): read it again next time. */
  private void forget(String webhookId) {
    endpoints.remove(webhookId);
  }

  private record Attempted(DeliveryView.Attempt log, boolean succeeded, boolean gone) {}

  private Attempted attempt(Webhook webhook, Delivery delivery, Instant now) {
    long started = System.nanoTime();
    URI uri;
    try {
      uri = rules.parse(webhook.url());
      rules.checkAddresses(uri);
    } catch (EndpointRules.Refused e) {
      return new Attempted(new DeliveryView.Attempt(now.toString(), null, 0, null, "not sent: the URL " + e.getMessage()),
          false, false);
    }
    List<WebhookSecret> keys = new ArrayList<>();
    try {
      for (Webhook.StoredSecret s : webhook.liveSecrets(now)) {
        keys.add(secrets.open(s.ciphertext(), webhook.tenantId(), webhook.webhookId()));
      }
      byte[] body = delivery.payload().getBytes(StandardCharsets.UTF_8);
      long timestamp = now.getEpochSecond();
      HttpRequest request = HttpRequest.newBuilder(uri)
          .timeout(settings.timeout())
          .header("content-type", "application/json")
          .header("user-agent", USER_AGENT)
          .header("webhook-id", delivery.messageId())
          .header("webhook-timestamp", Long.toString(timestamp))
          .header("webhook-signature", Signatures.header(delivery.messageId(), timestamp, body, keys))
          .POST(HttpRequest.BodyPublishers.ofByteArray(body))
          .build();
      HttpResponse<byte[]> response = http.sendAsync(request, FirstBytes.handler(RESPONSE_KEPT))
          .get(settings.timeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      int status = response.statusCode();
      return new Attempted(new DeliveryView.Attempt(now.toString(), status, ms, text(response.body()), null),
          status >= 200 && status < 300, status == 410);
    } catch (ExecutionException e) {
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      Throwable cause = e.getCause();
      String error = cause instanceof HttpTimeoutException
          ? "timed out after " + settings.timeout().toSeconds() + " s"
          : "connection failed: " + cause.getClass().getSimpleName()
              + (cause.getMessage() == null ? "" : " (" + dev.keep.schema.encoding.Echo.of(cause.getMessage(), 120) + ")");
      return new Attempted(new DeliveryView.Attempt(now.toString(), null, ms, null, error), false, false);
    } catch (TimeoutException e) {
      return new Attempted(new DeliveryView.Attempt(now.toString(), null,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), null,
          "timed out after " + settings.timeout().toSeconds() + " s"), false, false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending " + delivery.deliveryId(), e);
    } finally {
      keys.forEach(WebhookSecret::destroy);
    }
  }

  /** The answer's first bytes as text, undecodable bytes replaced, for the log. */
  private static String text(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      return null;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return null;
    }
  }

}
