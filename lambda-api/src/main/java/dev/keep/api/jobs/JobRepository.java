package dev.keep.api.jobs;

import static dev.keep.schema.tables.JobAttributes.ATTEMPTS;
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
import dev.keep.schema.tables.TenantAttributes;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

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

  /** Stores a new QUEUED job; the id is fresh, and the condition makes sure it stays that way. */
  public void create(String jobId, String tenantId, String keyId, String kind, String requestJson, Instant now) {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put(JOB_ID, AttributeValue.fromS(jobId));
    item.put(TENANT_ID, AttributeValue.fromS(tenantId));
    item.put(KEY_ID, AttributeValue.fromS(keyId));
    item.put(KIND, AttributeValue.fromS(kind));
    item.put(REQUEST, AttributeValue.fromS(requestJson));
    item.put(STATUS, AttributeValue.fromS(JobStatus.QUEUED.name()));
    item.put(CREATED_AT, AttributeValue.fromS(now.toString()));
    item.put(UPDATED_AT, AttributeValue.fromS(now.toString()));
    item.put(ATTEMPTS, AttributeValue.fromN("0"));
    item.put(PENDING_SHARD, AttributeValue.fromS(PENDING_SHARD_0));
    dynamo.putItem(b -> b.tableName(jobsTable).item(item).conditionExpression("attribute_not_exists(jobId)"));
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

  /** Job ids still QUEUED that were created before {@code cutoff}, oldest first (sparse index). */
  public List<Map<String, AttributeValue>> queuedBefore(Instant cutoff, int limit) {
    QueryResponse response =
        dynamo.query(b -> b.tableName(jobsTable)
            .indexName("pending")
            .keyConditionExpression("#p = :p AND #c < :cutoff")
            .expressionAttributeNames(Map.of("#p", PENDING_SHARD, "#c", CREATED_AT))
            .expressionAttributeValues(Map.of(
                ":p", AttributeValue.fromS(PENDING_SHARD_0),
                ":cutoff", AttributeValue.fromS(cutoff.toString())))
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

  private static JobView toView(Map<String, AttributeValue> item) {
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
        error);
  }
}
