package dev.keep.api.jobs;

import static dev.keep.schema.tables.JobAttributes.ATTEMPTS;
import static dev.keep.schema.tables.JobAttributes.BATCH_ID;
import static dev.keep.schema.tables.JobAttributes.BATCH_INDEX;
import static dev.keep.schema.tables.JobAttributes.REFERENCE;
import static dev.keep.schema.tables.JobAttributes.CREATED_AT;
import static dev.keep.schema.tables.JobAttributes.ERROR_CODE;
import static dev.keep.schema.tables.JobAttributes.ERROR_MESSAGE;
import static dev.keep.schema.tables.JobAttributes.JOB_ID;
import static dev.keep.schema.tables.JobAttributes.KEY_ID;
import static dev.keep.schema.tables.JobAttributes.KIND;
import static dev.keep.schema.tables.JobAttributes.PENDING_SHARD;
import static dev.keep.schema.tables.JobAttributes.PENDING_SHARD_0;
import static dev.keep.schema.tables.JobAttributes.REQUEST;
import static dev.keep.schema.tables.JobAttributes.RESULT;
import static dev.keep.schema.tables.JobAttributes.STATUS;
import static dev.keep.schema.tables.JobAttributes.TENANT_ID;
import static dev.keep.schema.tables.JobAttributes.UPDATED_AT;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.keep.schema.api.ApiError;
import dev.keep.schema.api.JobStatus;
import dev.keep.schema.api.JobView;
import dev.keep.schema.api.JobResult;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.tables.SortableInstant;
import dev.keep.schema.tables.TenantAttributes;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/** The API's reads and writes of the {@code jobs} and {@code keys} tables. */
public final class JobRepository {
  private final DynamoDbClient dynamo;
  private final String jobsTable;
  private final String keysTable;

  public JobRepository(DynamoDbClient dynamo, String jobsTable, String keysTable) {
    this.dynamo = dynamo;
    this.jobsTable = jobsTable;
    this.keysTable = keysTable;
  }

  /** Key owners this process has read; a key's owner is written once and never changes. */
  private static final int OWNERS_CACHED = 10_000;

  private final Map<String, String> owners =
      java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > OWNERS_CACHED;
        }
      });

  /**
   * The tenant that owns {@code keyId}, if the key exists. An owner once read is remembered (a
   * Lambda container serves many jobs): a key is registered once, with a condition that it is new,
   * and never moves to another tenant, so the answer cannot go stale. A key not found is read again
   * next time, since it may be made in between.
   */
  public Optional<String> keyOwner(String keyId) {
    String known = owners.get(keyId);
    if (known != null) {
      return Optional.of(known);
    }
    Optional<String> owner = readOwner(keyId);
    owner.ifPresent(o -> owners.put(keyId, o));
    return owner;
  }

  private Optional<String> readOwner(String keyId) {
    Map<String, AttributeValue> item =
        dynamo.getItem(b -> b.tableName(keysTable).key(Map.of(TenantAttributes.KEY_ID, AttributeValue.fromS(keyId)))
                .projectionExpression("#t").expressionAttributeNames(Map.of("#t", TenantAttributes.TENANT_ID)))
            .item();
    return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item.get(TenantAttributes.TENANT_ID).s());
  }

  /** A job the API is about to store: QUEUED, and in a batch when {@code batchId} is set. */
  public record NewJob(String jobId, String tenantId, String keyId, String kind, String requestJson, Instant now,
      String batchId, Integer batchIndex, String reference) {
    public static NewJob single(String jobId, String tenantId, String keyId, String kind, String requestJson, Instant now) {
      return new NewJob(jobId, tenantId, keyId, kind, requestJson, now, null, null, null);
    }

    Map<String, AttributeValue> item() {
      Map<String, AttributeValue> item = new HashMap<>();
      item.put(JOB_ID, AttributeValue.fromS(jobId));
      item.put(TENANT_ID, AttributeValue.fromS(tenantId));
      item.put(KEY_ID, AttributeValue.fromS(keyId));
      item.put(KIND, AttributeValue.fromS(kind));
      item.put(REQUEST, AttributeValue.fromS(requestJson));
      item.put(STATUS, AttributeValue.fromS(JobStatus.QUEUED.name()));
      item.put(CREATED_AT, AttributeValue.fromS(SortableInstant.of(now)));
      item.put(UPDATED_AT, AttributeValue.fromS(SortableInstant.of(now)));
      item.put(ATTEMPTS, AttributeValue.fromN("0"));
      item.put(PENDING_SHARD, AttributeValue.fromS(PENDING_SHARD_0));
      if (batchId != null) {
        item.put(BATCH_ID, AttributeValue.fromS(batchId));
        item.put(BATCH_INDEX, AttributeValue.fromN(Integer.toString(batchIndex)));
        if (reference != null) {
          item.put(REFERENCE, AttributeValue.fromS(reference));
        }
      }
      return item;
    }
  }

  /** The conditional write of a new job, for a transaction: the id is fresh, and stays so. */
  public Put put(NewJob job) {
    return Put.builder().tableName(jobsTable).item(job.item())
        .conditionExpression("attribute_not_exists(" + JOB_ID + ")").build();
  }

  /** Stores a new QUEUED job; the id is fresh, and the condition makes sure it stays that way. */
  public void create(NewJob job) {
    dynamo.putItem(b -> b.tableName(jobsTable).item(job.item()).conditionExpression("attribute_not_exists(jobId)"));
  }

  /**
   * Stores a new job unless one with its id exists, for finishing a batch whose first attempt
   * stopped half way: a job already stored (and maybe already claimed or ended) is left alone.
   */
  public void createIfAbsent(NewJob job) {
    try {
      create(job);
    } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException e) {
      // Stored by the first attempt.
    }
  }

  /**
   * Stores new jobs 25 at a time (BatchWriteItem), retrying what DynamoDB leaves unprocessed. No
   * condition is possible here, so only for ids nobody else can know yet: a batch's jobs before its
   * answer is sent and before any message names them.
   */
  public int createAll(List<NewJob> newJobs) {
    int calls = 0;
    for (int from = 0; from < newJobs.size(); from += 25) {
      List<WriteRequest> writes = newJobs.subList(from, Math.min(newJobs.size(), from + 25)).stream()
          .map(j -> WriteRequest.builder().putRequest(p -> p.item(j.item())).build()).toList();
      Map<String, List<WriteRequest>> pending = Map.of(jobsTable, writes);
      long pause = 20;
      while (!pending.isEmpty() && !pending.getOrDefault(jobsTable, List.of()).isEmpty()) {
        Map<String, List<WriteRequest>> request = pending;
        calls++;
        pending = dynamo.batchWriteItem(b -> b.requestItems(request)).unprocessedItems();
        if (!pending.isEmpty()) {
          try {
            Thread.sleep(pause); // DynamoDB asks to back off before unprocessed items are sent again
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while storing a batch's jobs", e);
          }
          pause = Math.min(1_000, pause * 2);
        }
      }
    }
    return calls;
  }

  /** The job as {@code tenantId} may see it: another tenant's job is indistinguishable from none. */
  public Optional<JobView> find(String jobId, String tenantId) {
    Map<String, AttributeValue> item =
        dynamo.getItem(b -> b.tableName(jobsTable).key(Map.of(JOB_ID, AttributeValue.fromS(jobId))).consistentRead(true))
            .item();
    if (item == null || item.isEmpty() || !tenantId.equals(item.get(TENANT_ID).s())) {
      return Optional.empty();
    }
    return Optional.of(toView(item));
  }

  /** What a listing may filter on; empty means no filter. */
  public record Filter(Optional<String> keyId, Optional<JobStatus> status, Optional<String> batchId,
      Optional<Instant> createdAfter, Optional<Instant> createdBefore) {}

  /** A page of items and the key to start the next one after, if there may be more. */
  public record Page(List<Map<String, AttributeValue>> items, Map<String, AttributeValue> next) {}

  /** Reads per page at most, so a filter that matches little cannot make one request read a whole index. */
  private static final int MAX_READS_PER_PAGE = 10;

  /**
   * The tenant's jobs, newest first, through the {@code byTenant} index (tenant, createdAt): the
   * tenant and the time range are the key condition; key, status and batch are filters on what
   * the index returns.
   */
  public Page listByTenant(String tenantId, Filter filter, int limit, Map<String, AttributeValue> startAfter) {
    Map<String, String> names = new HashMap<>(Map.of("#t", TENANT_ID));
    if (filter.createdAfter().isPresent() || filter.createdBefore().isPresent()) {
      names.put("#c", CREATED_AT); // DynamoDB refuses a name the expressions do not use
    }
    Map<String, AttributeValue> values = new HashMap<>(Map.of(":t", AttributeValue.fromS(tenantId)));
    String condition = "#t = :t";
    if (filter.createdAfter().isPresent() && filter.createdBefore().isPresent()) {
      condition += " AND #c BETWEEN :after AND :before";
    } else if (filter.createdAfter().isPresent()) {
      condition += " AND #c >= :after";
    } else if (filter.createdBefore().isPresent()) {
      condition += " AND #c <= :before";
    }
    filter.createdAfter().ifPresent(a -> values.put(":after", AttributeValue.fromS(SortableInstant.of(a))));
    filter.createdBefore().ifPresent(b -> values.put(":before", AttributeValue.fromS(SortableInstant.of(b))));
    List<String> filters = new java.util.ArrayList<>();
    filter.keyId().ifPresent(k -> {
      names.put("#k", KEY_ID);
      values.put(":k", AttributeValue.fromS(k));
      filters.add("#k = :k");
    });
    filter.status().ifPresent(st -> {
      names.put("#s", STATUS);
      values.put(":s", AttributeValue.fromS(st.name()));
      filters.add("#s = :s");
    });
    filter.batchId().ifPresent(b -> {
      names.put("#b", BATCH_ID);
      values.put(":b", AttributeValue.fromS(b));
      filters.add("#b = :b");
    });
    String filterExpression = filters.isEmpty() ? null : String.join(" AND ", filters);
    return page("byTenant", condition, filterExpression, names, values, false, limit, startAfter,
        item -> Map.of(JOB_ID, item.get(JOB_ID), TENANT_ID, item.get(TENANT_ID), CREATED_AT, item.get(CREATED_AT)));
  }

  /** A batch's jobs in their order, through the sparse {@code byBatch} index (batch, index). */
  public Page listByBatch(String batchId, Optional<JobStatus> status, int limit, Map<String, AttributeValue> startAfter) {
    Map<String, String> names = new HashMap<>(Map.of("#b", BATCH_ID));
    Map<String, AttributeValue> values = new HashMap<>(Map.of(":b", AttributeValue.fromS(batchId)));
    String filterExpression = null;
    if (status.isPresent()) {
      names.put("#s", STATUS);
      values.put(":s", AttributeValue.fromS(status.get().name()));
      filterExpression = "#s = :s";
    }
    return page("byBatch", "#b = :b", filterExpression, names, values, true, limit, startAfter,
        item -> Map.of(JOB_ID, item.get(JOB_ID), BATCH_ID, item.get(BATCH_ID), BATCH_INDEX, item.get(BATCH_INDEX)));
  }

  /** Every job of a batch, status and update time only: what the batch's counts are made from. */
  public List<Map<String, AttributeValue>> statusesOfBatch(String batchId) {
    List<Map<String, AttributeValue>> all = new java.util.ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> from = start;
      QueryResponse response = dynamo.query(b -> b.tableName(jobsTable).indexName("byBatch")
          .keyConditionExpression("#b = :b")
          .projectionExpression("#s, #u")
          .expressionAttributeNames(Map.of("#b", BATCH_ID, "#s", STATUS, "#u", UPDATED_AT))
          .expressionAttributeValues(Map.of(":b", AttributeValue.fromS(batchId)))
          .exclusiveStartKey(from));
      all.addAll(response.items());
      start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
    } while (start != null);
    return all;
  }

  private Page page(String index, String condition, String filterExpression, Map<String, String> names,
      Map<String, AttributeValue> values, boolean forward, int limit, Map<String, AttributeValue> startAfter,
      java.util.function.Function<Map<String, AttributeValue>, Map<String, AttributeValue>> keyOf) {
    List<Map<String, AttributeValue>> items = new java.util.ArrayList<>();
    Map<String, AttributeValue> start = startAfter;
    for (int read = 0; read < MAX_READS_PER_PAGE; read++) {
      Map<String, AttributeValue> from = start;
      int want = limit - items.size();
      QueryResponse response = dynamo.query(b -> b.tableName(jobsTable).indexName(index)
          .keyConditionExpression(condition)
          .filterExpression(filterExpression)
          .expressionAttributeNames(names)
          .expressionAttributeValues(values)
          .scanIndexForward(forward)
          .limit(want + 1)
          .exclusiveStartKey(from));
      for (Map<String, AttributeValue> item : response.items()) {
        if (items.size() == limit) {
          // One more than asked for exists: the page ends at the last one returned.
          return new Page(items, keyOf.apply(items.getLast()));
        }
        items.add(item);
      }
      start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
      if (start == null) {
        return new Page(items, null);
      }
      if (items.size() == limit) {
        return new Page(items, keyOf.apply(items.getLast()));
      }
    }
    // Read as much as one page may: hand back where the reading stopped, so the client goes on.
    return new Page(items, start);
  }

  /** Job ids still QUEUED that were created before {@code cutoff}, oldest first (sparse index). */
  public List<Map<String, AttributeValue>> queuedBefore(Instant cutoff, int limit) {
    QueryResponse response =
        dynamo.query(b -> b.tableName(jobsTable)
            .indexName("pending")
            .keyConditionExpression("#p = :p AND #c < :cutoff")
            .expressionAttributeNames(Map.of("#p", PENDING_SHARD, "#c", CREATED_AT))
            .expressionAttributeValues(Map.of(
                ":p", AttributeValue.fromS(PENDING_SHARD_0),
                ":cutoff", AttributeValue.fromS(SortableInstant.of(cutoff))))
            .limit(limit));
    return response.items();
  }

  /** Reads the tenant of a job, for the sweeper. */
  public Optional<String> tenantOf(String jobId) {
    Map<String, AttributeValue> item =
        dynamo.getItem(b -> b.tableName(jobsTable).key(Map.of(JOB_ID, AttributeValue.fromS(jobId)))
                .projectionExpression("#t, #s").expressionAttributeNames(Map.of("#t", TENANT_ID, "#s", STATUS)))
            .item();
    if (item == null || item.isEmpty() || !JobStatus.QUEUED.name().equals(item.get(STATUS).s())) {
      return Optional.empty();
    }
    return Optional.of(item.get(TENANT_ID).s());
  }

  public static JobView toView(Map<String, AttributeValue> item) {
    JobStatus status = JobStatus.valueOf(item.get(STATUS).s());
    JobResult result = null;
    ApiError error = null;
    if (item.containsKey(RESULT)) {
      try {
        result = Json.MAPPER.readValue(item.get(RESULT).s(), JobResult.class);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("stored result of job " + item.get(JOB_ID).s() + " does not parse", e);
      }
    }
    if (item.containsKey(ERROR_CODE)) {
      error = ApiError.of(item.get(ERROR_CODE).s(), item.get(ERROR_MESSAGE).s());
    }
    return new JobView(
        item.get(JOB_ID).s(),
        status,
        item.get(KIND).s(),
        item.get(KEY_ID).s(),
        item.get(CREATED_AT).s(),
        item.get(UPDATED_AT).s(),
        item.containsKey(ATTEMPTS) ? Integer.valueOf(item.get(ATTEMPTS).n()) : null,
        result,
        error,
        item.containsKey(BATCH_ID) ? item.get(BATCH_ID).s() : null,
        item.containsKey(BATCH_INDEX) ? Integer.valueOf(item.get(BATCH_INDEX).n()) : null,
        item.containsKey(REFERENCE) ? item.get(REFERENCE).s() : null);
  }
}
