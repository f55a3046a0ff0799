package dev.keep.api.idempotency;

import dev.keep.api.http.HttpApiResponse;
import dev.keep.api.http.ProblemException;
import dev.keep.api.http.ProblemType;
import dev.keep.schema.encoding.Hex;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Idempotency keys ({@code Idempotency-Key}, as Stripe's API has them): per tenant, a key names
 * one request, and every later request with that key gets the first one's answer.
 *
 * <p>The record is written in the same DynamoDB transaction as what the request creates, with the
 * condition that no live record has the key, so concurrent first uses make exactly one job: the
 * others' transactions are cancelled and DynamoDB hands back the winner's record
 * ({@code ReturnValuesOnConditionCheckFailure}). A request refused before anything is written (a
 * 4xx) stores nothing, so the client may fix it and reuse the key.
 *
 * <p>"The same request" is the same method and path and the same JSON body after RFC 8785
 * canonicalisation, so whitespace and member order do not matter. Records live {@link #KEPT};
 * DynamoDB's TTL deletes them some time after, and a record past {@code expiresAt} counts as gone.
 */
public final class IdempotencyStore {
  /** At least the 24 hours clients are promised. */
  public static final Duration KEPT = Duration.ofHours(25);
  public static final String HEADER = "Idempotency-Key";
  /** 1 to 255 printable ASCII characters. */
  private static final Pattern KEY = Pattern.compile("[\\x20-\\x7E]{1,255}");

  static final String PK = "idempotencyKey";
  static final String TENANT = "tenantId";
  static final String ROUTE = "route";
  static final String HASH = "requestHash";
  static final String STATE = "state";
  static final String STATUS = "statusCode";
  static final String BODY = "answer";
  static final String RESOURCE = "resourceId";
  static final String CREATED = "createdAt";
  static final String EXPIRES = "expiresAt";

  /** A record's state: answered, or written with what it creates but not yet answered. */
  public enum State { ANSWERED, PENDING }

  /** What identifies a request: its tenant, its key, its route ("POST /v1/jobs") and its hash. */
  public record Request(String tenantId, String key, String route, String requestHash) {
    String partitionKey() {
      // Length-prefixed, so no tenant id and key can spell another pair's value.
      return tenantId.length() + ":" + tenantId + ":" + key;
    }
  }

  /** A stored record. {@code status} and {@code body} are the answer; 0 and "" while PENDING. */
  public record Stored(Request request, State state, int status, String body, String resourceId, Instant createdAt) {}

  private final DynamoDbClient dynamo;
  private final String table;

  public IdempotencyStore(DynamoDbClient dynamo, String table) {
    this.dynamo = dynamo;
    this.table = table;
  }

  /**
   * The key from the header, if there is one.
   *
   * @throws ProblemException 400 naming the header, when it is empty, longer than 255 characters or
   *     has a character outside printable ASCII
   */
  public static Optional<String> key(Optional<String> header) {
    if (header.isEmpty()) {
      return Optional.empty();
    }
    if (!KEY.matcher(header.get()).matches()) {
      throw ProblemException.field(ProblemType.MALFORMED, HEADER,
          "must be 1 to 255 printable ASCII characters (got " + header.get().length() + " characters)");
    }
    return header;
  }

  /** SHA-256 over the route, a newline, and the body's RFC 8785 form. */
  public static String hash(String route, byte[] canonicalBody) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update((route + "\n").getBytes(StandardCharsets.UTF_8));
      return Hex.encode(sha.digest(canonicalBody));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * The write that claims the key, for the transaction that creates what the request makes:
   * refused when a live record has the key.
   */
  public Put claim(Request request, State state, int status, String body, String resourceId, Instant now) {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put(PK, AttributeValue.fromS(request.partitionKey()));
    item.put(TENANT, AttributeValue.fromS(request.tenantId()));
    item.put(ROUTE, AttributeValue.fromS(request.route()));
    item.put(HASH, AttributeValue.fromS(request.requestHash()));
    item.put(STATE, AttributeValue.fromS(state.name()));
    item.put(STATUS, AttributeValue.fromN(Integer.toString(status)));
    item.put(BODY, AttributeValue.fromB(SdkBytes.fromByteArray(gzip(body))));
    item.put(RESOURCE, AttributeValue.fromS(resourceId));
    item.put(CREATED, AttributeValue.fromS(now.toString()));
    item.put(EXPIRES, AttributeValue.fromN(Long.toString(now.plus(KEPT).getEpochSecond())));
    return Put.builder().tableName(table).item(item)
        .conditionExpression("attribute_not_exists(#pk) OR #exp < :now")
        .expressionAttributeNames(Map.of("#pk", PK, "#exp", EXPIRES))
        .expressionAttributeValues(Map.of(":now", AttributeValue.fromN(Long.toString(now.getEpochSecond()))))
        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
        .build();
  }

  /**
   * The record that beat this request's claim, when {@code e} was cancelled because of it (the
   * claim is item {@code index} of the transaction).
   */
  public Optional<Stored> winner(TransactionCanceledException e, int index) {
    if (!e.hasCancellationReasons() || e.cancellationReasons().size() <= index) {
      return Optional.empty();
    }
    CancellationReason reason = e.cancellationReasons().get(index);
    if (!"ConditionalCheckFailed".equals(reason.code()) || !reason.hasItem() || reason.item().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(fromItem(reason.item()));
  }

  /** Removes the PENDING record of a request that failed before it answered, so that a retry runs it. */
  public void release(Request request) {
    try {
      dynamo.deleteItem(b -> b.tableName(table).key(Map.of(PK, AttributeValue.fromS(request.partitionKey())))
          .conditionExpression("#state = :pending AND #hash = :hash")
          .expressionAttributeNames(Map.of("#state", STATE, "#hash", HASH))
          .expressionAttributeValues(Map.of(":pending", AttributeValue.fromS(State.PENDING.name()),
              ":hash", AttributeValue.fromS(request.requestHash()))));
    } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException e) {
      // answered meanwhile, or another request's: leave it
    }
  }

  /** Records the answer of a request whose record was written PENDING. */
  public void answer(Request request, int status, String body) {
    dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, AttributeValue.fromS(request.partitionKey())))
        .updateExpression("SET #state = :answered, #status = :status, #body = :body")
        .conditionExpression("#hash = :hash")
        .expressionAttributeNames(Map.of("#state", STATE, "#status", STATUS, "#body", BODY, "#hash", HASH))
        .expressionAttributeValues(Map.of(
            ":answered", AttributeValue.fromS(State.ANSWERED.name()),
            ":status", AttributeValue.fromN(Integer.toString(status)),
            ":body", AttributeValue.fromB(SdkBytes.fromByteArray(gzip(body))),
            ":hash", AttributeValue.fromS(request.requestHash()))));
  }

  /**
   * The answer to a request whose key is taken: the stored answer, marked replayed, when it is the
   * same request; 409 when it is another.
   *
   * @throws ProblemException 409 {@code idempotency-key-reused}, or 409
   *     {@code idempotency-request-in-progress} with {@code Retry-After} for a PENDING record
   */
  public static HttpApiResponse replay(Stored stored, Request request) {
    if (!stored.request().route().equals(request.route()) || !stored.request().requestHash().equals(request.requestHash())) {
      throw ProblemException.field(ProblemType.IDEMPOTENCY_KEY_REUSED, HEADER,
          "was first used at " + stored.createdAt() + " for a different request (" + stored.request().route()
              + " with another body); use a new key for a new request");
    }
    if (stored.state() == State.PENDING) {
      throw new ProblemException(ProblemType.IDEMPOTENCY_IN_PROGRESS,
          "the first request with this key, at " + stored.createdAt() + ", is still being answered; retry shortly",
          java.util.List.of(), Map.of("retry-after", "1"));
    }
    return new HttpApiResponse(stored.status(),
        Map.of("content-type", "application/json", "cache-control", "no-store", "idempotent-replayed", "true"),
        stored.body(), false);
  }

  private static Stored fromItem(Map<String, AttributeValue> item) {
    String pk = item.get(PK).s();
    String tenant = item.get(TENANT).s();
    String key = pk.substring(pk.indexOf(':') + 1 + tenant.length() + 1);
    Request request = new Request(tenant, key, item.get(ROUTE).s(), item.get(HASH).s());
    return new Stored(request, State.valueOf(item.get(STATE).s()), Integer.parseInt(item.get(STATUS).n()),
        gunzip(item.get(BODY).b().asByteArray()), item.get(RESOURCE).s(), Instant.parse(item.get(CREATED).s()));
  }

  // Answers of a 1,000-item batch approach DynamoDB's 400 KB item limit as JSON; compressed, they
  // are a small part of it.
  private static byte[] gzip(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
      zip.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static String gunzip(byte[] bytes) {
    try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("stored idempotent answer does not decompress", e);
    }
  }
}
