package dev.keep.api.batches;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keep.api.http.ApiRequest;
import dev.keep.api.http.HttpApiResponse;
import dev.keep.api.http.ProblemException;
import dev.keep.api.http.ProblemType;
import dev.keep.api.idempotency.IdempotencyStore;
import dev.keep.api.jobs.JobRepository;
import dev.keep.api.jobs.JobsApi;
import dev.keep.schema.api.BatchAccepted;
import dev.keep.schema.api.BatchView;
import dev.keep.schema.api.JobRequest;
import dev.keep.schema.api.JobRequestDecoder;
import dev.keep.schema.api.JobStatus;
import dev.keep.schema.api.Problem;
import dev.keep.schema.encoding.ContractSchema;
import dev.keep.schema.encoding.Echo;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.encoding.SchemaViolation;
import dev.keep.schema.queue.SigningMessage;
import dev.keep.schema.tables.JobAttributes;
import dev.keep.schema.tables.JobItemBudget;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * {@code POST /v1/batches}, {@code GET /v1/batches/{id}} and {@code GET /v1/batches/{id}/jobs}.
 *
 * <p>A batch is up to 1,000 job bodies in one request. Every item is checked as {@code POST
 * /v1/jobs} checks a body; the valid ones become jobs, the others are answered with their problem
 * and stored as nothing. The batch's record comes first (with the idempotency record, in one
 * transaction, when the request has a key), then the jobs, 25 a call, then their messages, 10 a
 * call. The jobs' ids are derived from the batch id and the item's index, so a retry of a batch
 * whose first request stopped half way finishes the same jobs rather than making new ones.
 */
public final class BatchesApi {
  public static final int MAX_ITEMS = 1_000;
  public static final int MAX_REFERENCE = 128;
  /** 1,000 items of about 4 KiB; under the 6 MB a synchronous Lambda call may carry. */
  public static final int MAX_BODY_BYTES = 4 * 1024 * 1024;
  /** A PENDING batch older than this was left by a request that died: a retry finishes it. */
  static final Duration ABANDONED_AFTER = Duration.ofSeconds(60);

  static final String BATCH_ID = "batchId";
  static final String TENANT = "tenantId";
  static final String CREATED = "createdAt";
  static final String TOTAL = "total";
  static final String REFUSED = "refused";
  /** How many of the batch's jobs have ended, as the webhook dispatcher counted them. */
  static final String ENDED = "ended";
  /** Epoch seconds after which DynamoDB's TTL deletes a job's "ended" marker. */
  static final String EXPIRES = "expiresAt";
  static final Duration MARKERS_KEPT = Duration.ofDays(7);

  private final DynamoDbClient dynamo;
  private final String batchesTable;
  private final JobsApi jobsApi;

  public BatchesApi(DynamoDbClient dynamo, String batchesTable, JobsApi jobsApi) {
    this.dynamo = dynamo;
    this.batchesTable = batchesTable;
    this.jobsApi = jobsApi;
  }

  /** One item, checked: the job it becomes, or why not. */
  private record Checked(int index, String reference, JobRequest job, String stored, Problem error) {}

  public HttpApiResponse submit(ApiRequest request) {
    Optional<String> key = IdempotencyStore.key(request.event().header(IdempotencyStore.HEADER));
    String text = JobsApi.text(JobsApi.body(request.event(), MAX_BODY_BYTES));
    JsonNode root;
    try {
      root = ContractSchema.read(text);
    } catch (SchemaViolation e) {
      throw ProblemException.of(e);
    }
    JsonNode items = envelope(root);
    List<Checked> checked = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      checked.add(check(request, i, items.get(i)));
    }
    if (checked.stream().allMatch(c -> c.error() != null)) {
      List<Problem.FieldError> errors = checked.stream().flatMap(c -> c.error().errors() == null
          ? java.util.stream.Stream.of(new Problem.FieldError("items[" + c.index() + "]", c.error().detail()))
          : c.error().errors().stream()).toList();
      throw new ProblemException(ProblemType.MALFORMED, "every item of the batch was refused; nothing was stored",
          errors, Map.of());
    }
    IdempotencyStore.Request idem = key.map(k -> JobsApi.idempotent(request, k, root)).orElse(null);
    String batchId = UUID.randomUUID().toString();
    Instant now = jobsApi.clock().instant();
    BatchAccepted answer = answer(batchId, checked);
    String body = Json.write(answer);
    if (idem == null) {
      dynamo.putItem(b -> b.tableName(batchesTable).item(batchItem(request, batchId, checked, now))
          .conditionExpression("attribute_not_exists(" + BATCH_ID + ")"));
    } else {
      try {
        dynamo.transactWriteItems(b -> b.transactItems(
            TransactWriteItem.builder().put(jobsApi.idempotency().claim(idem, IdempotencyStore.State.PENDING, 0, "",
                batchId, now)).build(),
            TransactWriteItem.builder().put(Put.builder().tableName(batchesTable)
                .item(batchItem(request, batchId, checked, now))
                .conditionExpression("attribute_not_exists(" + BATCH_ID + ")").build()).build()));
      } catch (TransactionCanceledException e) {
        IdempotencyStore.Stored winner = jobsApi.idempotency().winner(e, 0).orElseThrow(() -> e);
        return retry(request, winner, idem, checked);
      }
    }
    store(newJobs(request, batchId, checked, now), now);
    if (idem != null) {
      jobsApi.idempotency().answer(idem, 202, body);
    }
    return HttpApiResponse.json(202, answer);
  }

  /**
   * A retry of a batch request with the same key: the stored answer; or, when the first request
   * died before it answered, its batch finished now (every job created if absent, every message
   * sent again, which the workers' claims make harmless) and then answered.
   */
  private HttpApiResponse retry(ApiRequest request, IdempotencyStore.Stored winner, IdempotencyStore.Request idem,
      List<Checked> checked) {
    boolean same = winner.request().route().equals(idem.route()) && winner.request().requestHash().equals(idem.requestHash());
    if (!same || winner.state() == IdempotencyStore.State.ANSWERED
        || winner.createdAt().plus(ABANDONED_AFTER).isAfter(jobsApi.clock().instant())) {
      return IdempotencyStore.replay(winner, idem);
    }
    String batchId = winner.resourceId();
    Instant createdAt = winner.createdAt();
    List<JobRepository.NewJob> newJobs = newJobs(request, batchId, checked, createdAt);
    newJobs.forEach(jobsApi.repository()::createIfAbsent);
    enqueue(newJobs, createdAt);
    String body = Json.write(answer(batchId, checked));
    jobsApi.idempotency().answer(idem, 202, body);
    return IdempotencyStore.replay(new IdempotencyStore.Stored(winner.request(), IdempotencyStore.State.ANSWERED, 202,
        body, batchId, createdAt), idem);
  }

  /** {@code {"items": [...]}} with 1 to 1,000 items, and nothing else. */
  private static JsonNode envelope(JsonNode root) {
    if (!root.isObject()) {
      throw ProblemException.field(ProblemType.INVALID, "body", "a batch is a JSON object {\"items\": [...]}");
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!name.equals("items")) {
        throw ProblemException.field(ProblemType.INVALID, Echo.of(name), "is not a field of a batch (only 'items')");
      }
    }
    JsonNode items = root.get("items");
    if (items == null || !items.isArray()) {
      throw ProblemException.field(ProblemType.INVALID, "items", "is required: an array of job bodies");
    }
    if (items.isEmpty() || items.size() > MAX_ITEMS) {
      throw ProblemException.field(ProblemType.INVALID, "items", "must hold 1 to " + MAX_ITEMS + " job bodies, got "
          + items.size());
    }
    return items;
  }

  private Checked check(ApiRequest request, int index, JsonNode item) {
    String at = "items[" + index + "]";
    String reference = null;
    try {
      if (!item.isObject()) {
        throw ProblemException.field(ProblemType.INVALID, at, "must be a job body (a JSON object)");
      }
      ObjectNode body = ((ObjectNode) item).deepCopy();
      JsonNode ref = body.remove("reference");
      if (ref != null) {
        if (!ref.isTextual() || ref.textValue().isEmpty() || ref.textValue().length() > MAX_REFERENCE) {
          throw ProblemException.field(ProblemType.INVALID, at + ".reference", "must be a string of 1 to "
              + MAX_REFERENCE + " characters");
        }
        reference = ref.textValue();
      }
      JobRequest job;
      try {
        job = JobRequestDecoder.decode(body);
      } catch (SchemaViolation e) {
        throw ProblemException.of(e.under(at));
      }
      String stored = Json.write(job);
      Optional<String> tooLarge = JobItemBudget.refusal(job.kind(), stored.getBytes(StandardCharsets.UTF_8).length);
      if (tooLarge.isPresent()) {
        throw new ProblemException(ProblemType.PAYLOAD_TOO_LARGE, at + ": " + tooLarge.get(),
            List.of(new Problem.FieldError(at, tooLarge.get())), Map.of());
      }
      jobsApi.requireKey(request.tenant(), job.keyId(), at + ".keyId");
      return new Checked(index, reference, job, stored, null);
    } catch (ProblemException e) {
      return new Checked(index, reference, null, null, e.problem(request.requestId()));
    }
  }

  /** A batch's job ids are its id and the item's index, hashed (RFC 4122 name-based UUIDs). */
  static String jobId(String batchId, int index) {
    return UUID.nameUUIDFromBytes(("keep-batch:" + batchId + ":" + index).getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static BatchAccepted answer(String batchId, List<Checked> checked) {
    return new BatchAccepted(batchId, "ACCEPTED", checked.stream().map(c -> c.error() == null
        ? new BatchAccepted.Item(c.index(), c.reference(), jobId(batchId, c.index()), null)
        : new BatchAccepted.Item(c.index(), c.reference(), null, c.error())).toList());
  }

  private static Map<String, AttributeValue> batchItem(ApiRequest request, String batchId, List<Checked> checked, Instant now) {
    long accepted = checked.stream().filter(c -> c.error() == null).count();
    return Map.of(
        BATCH_ID, AttributeValue.fromS(batchId),
        TENANT, AttributeValue.fromS(request.tenant().tenantId()),
        CREATED, AttributeValue.fromS(now.toString()),
        TOTAL, AttributeValue.fromN(Long.toString(accepted)),
        REFUSED, AttributeValue.fromN(Long.toString(checked.size() - accepted)));
  }

  private static List<JobRepository.NewJob> newJobs(ApiRequest request, String batchId, List<Checked> checked, Instant now) {
    return checked.stream().filter(c -> c.error() == null)
        .map(c -> new JobRepository.NewJob(jobId(batchId, c.index()), request.tenant().tenantId(), c.job().keyId(),
            c.job().kind(), c.stored(), now, batchId, c.index(), c.reference()))
        .toList();
  }

  private void enqueue(List<JobRepository.NewJob> newJobs, Instant now) {
    jobsApi.queue().enqueueAll(newJobs.stream()
        .map(j -> SigningMessage.of(j.jobId(), j.tenantId(), now.toString())).toList());
  }

  /** Chunks of a batch stored and sent at once: one DynamoDB batch write of 25 jobs, then their messages. */
  static final int CHUNK = 25;
  static final int CHUNKS_AT_ONCE = 8;

  /**
   * Stores the jobs and sends their messages, a chunk of 25 at a time, {@value #CHUNKS_AT_ONCE}
   * chunks at once: each call waits on the network, so running them one after another made a
   * 1,000-item batch take 1.7 to 3.4 s, two thirds of it in 100 {@code SendMessageBatch} calls.
   * Within a chunk the jobs are stored before their messages are sent, so no worker is handed a
   * job that is not there yet.
   */
  private void store(List<JobRepository.NewJob> newJobs, Instant now) {
    List<java.util.concurrent.Future<?>> chunks = new ArrayList<>();
    java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(CHUNKS_AT_ONCE);
    try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int from = 0; from < newJobs.size(); from += CHUNK) {
        List<JobRepository.NewJob> chunk = newJobs.subList(from, Math.min(newJobs.size(), from + CHUNK));
        chunks.add(pool.submit(() -> {
          slots.acquire();
          try {
            jobsApi.repository().createAll(chunk);
            enqueue(chunk, now);
          } finally {
            slots.release();
          }
          return null;
        }));
      }
    }
    for (java.util.concurrent.Future<?> chunk : chunks) {
      try {
        chunk.get();
      } catch (java.util.concurrent.ExecutionException e) {
        // A chunk not stored fails the request (500); chunks stored are swept and run, like a
        // single job whose answer was lost. A retry with the same Idempotency-Key finishes it.
        throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while storing a batch", e);
      }
    }
  }

  /** The batch's record, if it is this tenant's; another tenant's batch is the same 404 as none. */
  private Map<String, AttributeValue> batch(ApiRequest request) {
    String batchId = request.pathId();
    ProblemException notFound = new ProblemException(ProblemType.NOT_FOUND, "no batch '" + Echo.of(batchId) + "'");
    if (!dev.keep.schema.protocol.EnclaveRequest.JOB_ID.matcher(batchId).matches()) {
      throw notFound;
    }
    Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(batchesTable)
        .key(Map.of(BATCH_ID, AttributeValue.fromS(batchId)))).item();
    if (item == null || !item.containsKey(TENANT) || !request.tenant().tenantId().equals(item.get(TENANT).s())) {
      throw notFound;
    }
    return item;
  }

  public HttpApiResponse get(ApiRequest request) {
    return HttpApiResponse.json(200, view(batch(request)));
  }

  /** The batch's counts, made from its jobs (see {@link BatchView}). */
  private BatchView view(Map<String, AttributeValue> batch) {
    String batchId = batch.get(BATCH_ID).s();
    int total = Integer.parseInt(batch.get(TOTAL).n());
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (JobStatus s : List.of(JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SIGNED, JobStatus.REJECTED, JobStatus.FAILED)) {
      counts.put(s.name(), 0);
    }
    String last = null;
    int ended = 0;
    for (Map<String, AttributeValue> job : jobsApi.repository().statusesOfBatch(batchId)) {
      JobStatus status = JobStatus.valueOf(job.get(JobAttributes.STATUS).s());
      counts.merge(status.name(), 1, Integer::sum);
      if (status.isTerminal()) {
        ended++;
        String updated = job.get(JobAttributes.UPDATED_AT).s();
        last = last == null || Instant.parse(updated).isAfter(Instant.parse(last)) ? updated : last;
      }
    }
    boolean done = ended == total;
    return new BatchView(batchId, batch.get(CREATED).s(), total, Integer.parseInt(batch.get(REFUSED).n()), counts, done,
        done ? last : null);
  }

  /**
   * Counts {@code jobId} as ended in its batch, once however often it is told, and answers the
   * batch's view when every job of it has ended: the {@code batch.completed} event's data.
   *
   * <p>One transaction writes a small marker item for the job (only if absent) and adds one to the
   * batch's count, so a stream record read twice counts once. (A first version kept the ended ids
   * as a string set on the batch item: the item grew to 37 KB for 1,000 jobs, and each update paid
   * for all of it, 18 write units a job on average, against 4 for this transaction.) The markers
   * expire after {@link #MARKERS_KEPT}, longer than a stream keeps records (24 h).
   */
  public Optional<BatchView> jobEnded(String batchId, String jobId) {
    String marker = batchId + "#ended#" + jobId;
    long expires = jobsApi.clock().instant().plus(MARKERS_KEPT).getEpochSecond();
    for (int attempt = 1; ; attempt++) {
      try {
        dynamo.transactWriteItems(b -> b.transactItems(
            TransactWriteItem.builder().put(Put.builder().tableName(batchesTable)
                .item(Map.of(BATCH_ID, AttributeValue.fromS(marker), EXPIRES, AttributeValue.fromN(Long.toString(expires))))
                .conditionExpression("attribute_not_exists(" + BATCH_ID + ")").build()).build(),
            TransactWriteItem.builder().update(u -> u.tableName(batchesTable)
                .key(Map.of(BATCH_ID, AttributeValue.fromS(batchId)))
                .updateExpression("ADD #e :one")
                .conditionExpression("attribute_exists(" + BATCH_ID + ")")
                .expressionAttributeNames(Map.of("#e", ENDED))
                .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1")))).build()));
        break;
      } catch (TransactionCanceledException e) {
        List<String> reasons = e.hasCancellationReasons()
            ? e.cancellationReasons().stream().map(r -> String.valueOf(r.code())).toList() : List.of();
        if (reasons.size() == 2 && reasons.get(1).equals("ConditionalCheckFailed")) {
          return Optional.empty(); // no such batch
        }
        if (reasons.size() == 2 && reasons.get(0).equals("ConditionalCheckFailed")) {
          break; // counted before (a stream record read twice): complete now if it was then
        }
        // Two of the batch's last jobs counted at once conflict on the batch item (DynamoDB cancels
        // one with TransactionConflict): try again shortly; after that, the stream batch is read again.
        if (attempt == 5) {
          throw e;
        }
        try {
          Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(10, 20L << attempt));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
    Map<String, AttributeValue> batch = dynamo.getItem(b -> b.tableName(batchesTable).consistentRead(true)
        .key(Map.of(BATCH_ID, AttributeValue.fromS(batchId)))).item();
    if (batch == null || batch.isEmpty() || !batch.containsKey(ENDED)) {
      return Optional.empty();
    }
    return Integer.parseInt(batch.get(ENDED).n()) >= Integer.parseInt(batch.get(TOTAL).n())
        ? Optional.of(view(batch)) : Optional.empty();
  }

  private static final Set<String> BATCH_CURSOR = Set.of(JobAttributes.JOB_ID, JobAttributes.BATCH_ID, JobAttributes.BATCH_INDEX);

  public HttpApiResponse jobs(ApiRequest request) {
    Map<String, AttributeValue> batch = batch(request);
    String batchId = batch.get(BATCH_ID).s();
    String tenantId = request.tenant().tenantId();
    String listing = "batch:" + batchId;
    int limit = JobsApi.limit(request.param("limit"));
    Map<String, AttributeValue> start = request.param("cursor")
        .map(c -> {
          Map<String, AttributeValue> k = new HashMap<>(dev.keep.api.jobs.JobsApi.cursor(c, tenantId, listing, BATCH_CURSOR));
          k.put(JobAttributes.BATCH_ID, AttributeValue.fromS(batchId));
          return k;
        })
        .orElse(null);
    JobRepository.Page page = jobsApi.repository().listByBatch(batchId, JobsApi.status(request.param("status")), limit, start);
    return HttpApiResponse.json(200, JobsApi.page(page, tenantId, listing));
  }
}
