package dev.keep.api.jobs;

import dev.keep.api.auth.Tenant;
import dev.keep.api.http.ApiRequest;
import dev.keep.api.http.HttpApiEvent;
import dev.keep.api.http.HttpApiResponse;
import dev.keep.api.http.ProblemException;
import dev.keep.api.http.ProblemType;
import dev.keep.api.idempotency.IdempotencyStore;
import dev.keep.schema.api.JobAccepted;
import dev.keep.schema.api.JobPage;
import dev.keep.schema.api.JobRequest;
import dev.keep.schema.api.JobRequestDecoder;
import dev.keep.schema.api.JobStatus;
import dev.keep.schema.api.JobView;
import dev.keep.schema.encoding.Echo;
import dev.keep.schema.encoding.Jcs;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.encoding.SchemaViolation;
import dev.keep.schema.encoding.Utf8;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.queue.SigningMessage;
import dev.keep.schema.tables.JobAttributes;
import dev.keep.schema.tables.JobItemBudget;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * {@code POST /v1/jobs}, {@code GET /v1/jobs}, {@code GET /v1/jobs/{id}} and
 * {@code POST /v1/policy/evaluate}. The API never signs and never sees key material: it
 * validates, stores the job, enqueues it and answers 202.
 *
 * <p>Only the enclave holds a key's policy and counters, so a dry run is a job too: it is stored
 * with kind {@code policy_evaluate}, goes through the queue like any job, and ends {@code
 * EVALUATED} with the decision as its result. The API waits for it for a short while and answers
 * 200 with the finished job; if the fleet is slower than that, it answers 202 and the client
 * reads the job like any other.
 */
public final class JobsApi {
  private static final Logger LOG = LoggerFactory.getLogger(JobsApi.class);
  /** How long {@code POST /v1/policy/evaluate} waits for the decision before answering 202. */
  public static final Duration DEFAULT_DRY_RUN_WAIT = Duration.ofSeconds(10);
  /** Largest body accepted: a 64 KiB message in hex plus the envelope. */
  public static final int MAX_BODY_BYTES = 256 * 1024;
  public static final int DEFAULT_PAGE = 25;
  public static final int MAX_PAGE = 100;

  private final DynamoDbClient dynamo;
  private final JobRepository jobs;
  private final IdempotencyStore idempotency;
  private final JobQueue queue;
  private final Clock clock;
  private final Duration dryRunWait;

  public JobsApi(DynamoDbClient dynamo, JobRepository jobs, IdempotencyStore idempotency, JobQueue queue, Clock clock,
      Duration dryRunWait) {
    this.dynamo = dynamo;
    this.jobs = jobs;
    this.idempotency = idempotency;
    this.queue = queue;
    this.clock = clock;
    this.dryRunWait = dryRunWait;
  }

  /** The body's bytes, at most {@code max}: measured before anything parses them (413 over). */
  public static byte[] body(HttpApiEvent event, int max) {
    byte[] bytes;
    try {
      bytes = event.bodyBytes();
    } catch (HttpApiEvent.InvalidBody e) {
      throw new ProblemException(ProblemType.MALFORMED, e.getMessage());
    }
    // Bytes, not characters: 255k of '€' is 765k bytes.
    if (bytes.length > max) {
      throw new ProblemException(ProblemType.PAYLOAD_TOO_LARGE, "body of " + bytes.length + " bytes exceeds " + max + " bytes");
    }
    return bytes;
  }

  /** The body as text, refusing bytes that are not UTF-8 (400, at the byte). */
  public static String text(byte[] bytes) {
    try {
      return Utf8.decode(bytes, "body");
    } catch (Utf8.MalformedException e) {
      throw new ProblemException(ProblemType.MALFORMED, e.getMessage());
    }
  }

  /** The idempotency record's identity for a request, from its route and parsed body. */
  public static IdempotencyStore.Request idempotent(ApiRequest request, String key, com.fasterxml.jackson.databind.JsonNode body) {
    byte[] canonical;
    try {
      canonical = Jcs.canonicalize(body);
    } catch (IllegalArgumentException e) {
      throw new ProblemException(ProblemType.INVALID, "the body cannot be canonicalised (RFC 8785) to compare it"
          + " with a retry: " + e.getMessage());
    }
    String route = request.event().method() + " " + request.event().path();
    return new IdempotencyStore.Request(request.tenant().tenantId(), key, route, IdempotencyStore.hash(route, canonical));
  }

  public HttpApiResponse submit(ApiRequest request, boolean dryRun) {
    Optional<String> key = IdempotencyStore.key(request.event().header(IdempotencyStore.HEADER));
    String text = text(body(request.event(), MAX_BODY_BYTES));
    com.fasterxml.jackson.databind.JsonNode body;
    JobRequest job;
    try {
      body = dev.keep.schema.encoding.ContractSchema.read(text);
      job = JobRequestDecoder.decode(body);
    } catch (SchemaViolation e) {
      throw ProblemException.of(e);
    }
    Tenant tenant = request.tenant();
    String kind = dryRun ? JobRequest.POLICY_EVALUATE : job.kind();
    String stored = Json.write(job);
    Optional<String> tooLarge = JobItemBudget.refusal(kind, stored.getBytes(StandardCharsets.UTF_8).length);
    if (tooLarge.isPresent()) {
      throw new ProblemException(ProblemType.PAYLOAD_TOO_LARGE, tooLarge.get());
    }
    requireKey(tenant, job.keyId(), "keyId");
    String jobId = UUID.randomUUID().toString();
    EnclaveRequest.requireJobId(jobId);
    Instant now = clock.instant();
    JobRepository.NewJob newJob = JobRepository.NewJob.single(jobId, tenant.tenantId(), job.keyId(), kind, stored, now);
    JobAccepted accepted = new JobAccepted(jobId, JobStatus.QUEUED);
    IdempotencyStore.Request idem = key.map(k -> idempotent(request, k, body)).orElse(null);
    if (idem == null) {
      jobs.create(newJob);
    } else {
      // A job's answer is known before it is stored, so the record is written answered, in the
      // same transaction as the job; a dry run's answer waits for the decision.
      IdempotencyStore.State state = dryRun ? IdempotencyStore.State.PENDING : IdempotencyStore.State.ANSWERED;
      try {
        dynamo.transactWriteItems(b -> b.transactItems(
            TransactWriteItem.builder().put(idempotency.claim(idem, state, dryRun ? 0 : 202,
                dryRun ? "" : Json.write(accepted), jobId, now)).build(),
            TransactWriteItem.builder().put(jobs.put(newJob)).build()));
      } catch (TransactionCanceledException e) {
        Optional<IdempotencyStore.Stored> winner = idempotency.winner(e, 0);
        if (winner.isEmpty()) {
          throw e;
        }
        return replay(winner.get(), idem, tenant);
      }
    }
    enqueue(jobId, tenant.tenantId(), now);
    HttpApiResponse answer = HttpApiResponse.json(202, accepted);
    if (dryRun) {
      Optional<JobView> done = awaitTerminal(jobId, tenant.tenantId());
      if (done.isPresent()) {
        answer = HttpApiResponse.json(200, done.get());
      }
      if (idem != null) {
        idempotency.answer(idem, answer.statusCode(), answer.body());
      }
    }
    return answer;
  }

  /**
   * The answer to a retry. A dry run whose first request died before it answered (its record still
   * PENDING after the longest wait and a Lambda's timeout) is answered 202, as the first would
   * have been, and that answer is stored.
   */
  private HttpApiResponse replay(IdempotencyStore.Stored stored, IdempotencyStore.Request idem, Tenant tenant) {
    if (stored.state() == IdempotencyStore.State.PENDING && stored.request().requestHash().equals(idem.requestHash())
        && stored.createdAt().plus(dryRunWait).plus(Duration.ofSeconds(60)).isBefore(clock.instant())) {
      String body = Json.write(new JobAccepted(stored.resourceId(), JobStatus.QUEUED));
      idempotency.answer(idem, 202, body);
      return IdempotencyStore.replay(new IdempotencyStore.Stored(stored.request(), IdempotencyStore.State.ANSWERED, 202,
          body, stored.resourceId(), stored.createdAt()), idem);
    }
    return IdempotencyStore.replay(stored, idem);
  }

  /** An unknown key and another tenant's key get the same answer, so ids cannot be probed. */
  public void requireKey(Tenant tenant, String keyId, String field) {
    if (!jobs.keyOwner(keyId).map(tenant.tenantId()::equals).orElse(false)) {
      throw ProblemException.field(ProblemType.INVALID, field, "no key '" + Echo.of(keyId) + "' for this tenant");
    }
  }

  private void enqueue(String jobId, String tenantId, Instant now) {
    try {
      queue.enqueue(SigningMessage.of(jobId, tenantId, now.toString()));
    } catch (RuntimeException e) {
      // The job is stored as QUEUED; the sweeper re-enqueues it. The client still gets its id.
      LOG.warn("job {} stored but not enqueued ({}); the sweeper will re-drive it", jobId, e.getMessage());
    }
  }

  /** Reads the job until it is terminal or {@link #dryRunWait} has passed; polls back off to 250 ms. */
  private Optional<JobView> awaitTerminal(String jobId, String tenantId) {
    long deadline = System.nanoTime() + dryRunWait.toNanos();
    long pause = 20;
    while (true) {
      Optional<JobView> view = jobs.find(jobId, tenantId);
      if (view.isPresent() && view.get().status().isTerminal()) {
        return view;
      }
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return Optional.empty();
      }
      try {
        Thread.sleep(Math.min(pause, left));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
      pause = Math.min(pause * 2, 250);
    }
  }

  public HttpApiResponse get(ApiRequest request) {
    String jobId = request.pathId();
    // The id is the client's: the answer repeats at most a short printable prefix of it.
    ProblemException notFound = new ProblemException(ProblemType.NOT_FOUND, "no job '" + Echo.of(jobId) + "'");
    if (!EnclaveRequest.JOB_ID.matcher(jobId).matches()) {
      throw notFound;
    }
    return jobs.find(jobId, request.tenant().tenantId())
        .map(view -> HttpApiResponse.json(200, view))
        .orElseThrow(() -> notFound);
  }

  private static final Set<String> TENANT_CURSOR = Set.of(JobAttributes.JOB_ID, JobAttributes.TENANT_ID, JobAttributes.CREATED_AT);

  /** {@code GET /v1/jobs}: the tenant's jobs, newest first. */
  public HttpApiResponse list(ApiRequest request) {
    String tenantId = request.tenant().tenantId();
    JobRepository.Filter filter = new JobRepository.Filter(
        request.param("keyId").map(k -> {
          if (k.isEmpty() || k.length() > 128) {
            throw ProblemException.field(ProblemType.INVALID, "query.keyId", "must be 1 to 128 characters");
          }
          return k;
        }),
        status(request.param("status")),
        request.param("batchId").map(b -> batchId(b, "query.batchId")),
        instant(request.param("createdAfter"), "query.createdAfter"),
        instant(request.param("createdBefore"), "query.createdBefore"));
    int limit = limit(request.param("limit"));
    Map<String, AttributeValue> start = request.param("cursor")
        .map(c -> new HashMap<>(Cursor.decode(c, tenantId, "jobs", TENANT_CURSOR)))
        .map(k -> {
          k.put(JobAttributes.TENANT_ID, AttributeValue.fromS(tenantId)); // always the caller's partition
          return (Map<String, AttributeValue>) k;
        })
        .orElse(null);
    JobRepository.Page page = jobs.listByTenant(tenantId, filter, limit, start);
    return HttpApiResponse.json(200, page(page, tenantId, "jobs"));
  }

  /** A page as the API answers it, its next cursor made for this tenant and listing. */
  public static JobPage page(JobRepository.Page page, String tenantId, String listing) {
    List<JobView> views = page.items().stream().map(JobRepository::toView).toList();
    return new JobPage(views, page.next() == null ? null : Cursor.encode(tenantId, listing, page.next()));
  }

  /** A cursor of this API, for this tenant and listing (see {@link Cursor}). */
  public static Map<String, AttributeValue> cursor(String cursor, String tenantId, String listing, Set<String> attributes) {
    return Cursor.decode(cursor, tenantId, listing, attributes);
  }

  public static Optional<JobStatus> status(Optional<String> value) {
    return value.map(v -> {
      try {
        return JobStatus.valueOf(v);
      } catch (IllegalArgumentException e) {
        throw ProblemException.field(ProblemType.INVALID, "query.status", "must be one of "
            + java.util.Arrays.toString(JobStatus.values()) + ", got '" + Echo.of(v) + "'");
      }
    });
  }

  public static int limit(Optional<String> value) {
    if (value.isEmpty()) {
      return DEFAULT_PAGE;
    }
    try {
      int limit = Integer.parseInt(value.get());
      if (limit >= 1 && limit <= MAX_PAGE) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ProblemException.field(ProblemType.INVALID, "query.limit", "must be an integer from 1 to " + MAX_PAGE);
  }

  public static String batchId(String value, String field) {
    if (!EnclaveRequest.JOB_ID.matcher(value).matches()) {
      throw ProblemException.field(ProblemType.INVALID, field, "is not a batch id");
    }
    return value;
  }

  private static Optional<Instant> instant(Optional<String> value, String field) {
    return value.map(v -> {
      try {
        return Instant.parse(v);
      } catch (DateTimeParseException e) {
        throw ProblemException.field(ProblemType.INVALID, field, "must be an ISO-8601 instant such as"
            + " 2026-12-02T12:00:00Z, got '" + Echo.of(v) + "'");
      }
    });
  }

  public JobRepository repository() {
    return jobs;
  }

  public JobQueue queue() {
    return queue;
  }

  public Clock clock() {
    return clock;
  }

  public IdempotencyStore idempotency() {
    return idempotency;
  }
}
