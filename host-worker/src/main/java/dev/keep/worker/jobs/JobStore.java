package dev.keep.worker.jobs;

import static dev.keep.schema.tables.JobAttributes.ATTEMPTS;
import static dev.keep.schema.tables.JobAttributes.ERROR_CODE;
import static dev.keep.schema.tables.JobAttributes.ERROR_MESSAGE;
import static dev.keep.schema.tables.JobAttributes.FINISHED_AT;
import static dev.keep.schema.tables.JobAttributes.JOB_ID;
import static dev.keep.schema.tables.JobAttributes.KEY_ID;
import static dev.keep.schema.tables.JobAttributes.KIND;
import static dev.keep.schema.tables.JobAttributes.LEASE_EXPIRES_AT;
import static dev.keep.schema.tables.JobAttributes.LEASE_OWNER;
import static dev.keep.schema.tables.JobAttributes.PENDING_SHARD;
import static dev.keep.schema.tables.JobAttributes.PENDING_SHARD_0;
import static dev.keep.schema.tables.JobAttributes.REQUEST;
import static dev.keep.schema.tables.JobAttributes.RESULT;
import static dev.keep.schema.tables.JobAttributes.STATUS;
import static dev.keep.schema.tables.JobAttributes.TENANT_ID;
import static dev.keep.schema.tables.JobAttributes.UPDATED_AT;

import dev.keep.schema.api.JobStatus;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.protocol.SealedBlob;
import dev.keep.worker.sealing.DynamoDbSealedKeys;
import java.util.ArrayList;
import java.util.List;
import dev.keep.schema.tables.JobItemBudget;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The worker's view of the {@code jobs} table. Every state change is one conditional write, so
 * two workers holding the same message can never both move a job: claims take a lease (owner,
 * expiry, attempt count), and only the lease owner can finish the job.
 */
public final class JobStore {
  private final DynamoDbClient dynamo;
  private final String jobsTable;
  private final String auditTable;
  private final String keysTable;
  private final String receiptsTable;

  public JobStore(DynamoDbClient dynamo, String jobsTable, String auditTable) {
    this(dynamo, jobsTable, auditTable, "keys", "receipts");
  }

  /** @param receiptsTable where each receipt is written with its job's end (issue 19) */
  public JobStore(DynamoDbClient dynamo, String jobsTable, String auditTable, String keysTable, String receiptsTable) {
    this.dynamo = dynamo;
    this.jobsTable = jobsTable;
    this.auditTable = auditTable;
    this.keysTable = keysTable;
    this.receiptsTable = receiptsTable;
  }

  /** One job of a group: its terminal outcome and audit record. */
  public record Ending(Job job, Outcome outcome, AuditRecord audit) {}

  /** What a group commit did. */
  public sealed interface GroupResult {
    /** Every job ended, and the key's state is what the group decided on plus its charges. */
    record Committed() implements GroupResult {}

    /**
     * The key's stored state is no longer the one the group was decided on (another host stored
     * first): nothing was written. {@code current} is what is stored now (null: no state).
     */
    record StateMoved(SealedBlob current) implements GroupResult {}

    /** These jobs' leases were lost (another worker took them, or they ended): nothing was written. */
    record LeasesLost(java.util.Set<String> jobIds) implements GroupResult {}

    /** DynamoDB refused what this job would store (an item over 400 KB): nothing was written. */
    record NotStorable(String jobId, String reason) implements GroupResult {}
  }

  /**
   * Most jobs in one group: DynamoDB takes 100 actions per transaction; a job takes three (its end,
   * its audit record, its receipt) and the key one.
   */
  public static final int MAX_GROUP = 33;

  /**
   * Ends a group of one key's jobs in one transaction, together with the key's state: {@code next}
   * replaces the stored state only if the stored one is still {@code base} (its sequence; null for
   * a key with no state), and when the group charged nothing the same condition is checked alone.
   * So a result is stored exactly when the state it was decided on was the stored one, and a charge
   * is stored exactly when its result is: no signature is released without its charge, and no
   * charge is kept for a result that was not.
   *
   * @throws NotStorableException never; a refused item is reported as {@link GroupResult.NotStorable}
   */
  public GroupResult commitGroup(String keyId, SealedBlob base, SealedBlob next, List<Ending> endings, String owner,
      Instant now) {
    if (endings.isEmpty() || endings.size() > MAX_GROUP) {
      throw new IllegalArgumentException("a group ends 1 to " + MAX_GROUP + " jobs, got " + endings.size());
    }
    List<TransactWriteItem> items = new ArrayList<>();
    Map<String, String> keyNames = new HashMap<>(Map.of("#n", DynamoDbSealedKeys.STATE_SEQUENCE));
    Map<String, AttributeValue> keyValues = new HashMap<>();
    String condition;
    if (base == null) {
      condition = "attribute_not_exists(#n)";
    } else {
      condition = "#n = :base";
      keyValues.put(":base", n(base.sequence()));
    }
    Map<String, AttributeValue> key = Map.of(dev.keep.schema.tables.TenantAttributes.KEY_ID, s(keyId));
    if (next != null) {
      keyNames.put("#s", DynamoDbSealedKeys.SEALED_STATE);
      keyValues.put(":s", s(Json.write(next)));
      keyValues.put(":next", n(next.sequence()));
      items.add(TransactWriteItem.builder().update(Update.builder().tableName(keysTable).key(key)
          .updateExpression("SET #s = :s, #n = :next").conditionExpression(condition)
          .expressionAttributeNames(keyNames).expressionAttributeValues(keyValues)
          .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD).build()).build());
    } else {
      var check = software.amazon.awssdk.services.dynamodb.model.ConditionCheck.builder().tableName(keysTable).key(key)
          .conditionExpression(condition).expressionAttributeNames(keyNames)
          .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
      if (!keyValues.isEmpty()) {
        check.expressionAttributeValues(keyValues);
      }
      items.add(TransactWriteItem.builder().conditionCheck(check.build()).build());
    }
    // Which ending each action belongs to, to name a job from DynamoDB's cancellation reasons.
    List<Integer> endingOf = new ArrayList<>();
    endingOf.add(-1);
    for (int i = 0; i < endings.size(); i++) {
      Ending e = endings.get(i);
      items.add(TransactWriteItem.builder().update(terminalUpdate(e.job(), owner, e.outcome(), now)).build());
      items.add(TransactWriteItem.builder().put(auditPut(e.audit())).build());
      endingOf.add(i);
      endingOf.add(i);
      if (e.audit().receipt() != null) {
        // No condition: the same receipt may be there already, written on its own after an earlier
        // write of this job failed; the enclave signs one content per chain and seq.
        items.add(TransactWriteItem.builder().put(Put.builder().tableName(receiptsTable)
            .item(dev.keep.worker.audit.ChainItems.receipt(e.audit().receipt(), true)).build()).build());
        endingOf.add(i);
      }
    }
    try {
      dynamo.transactWriteItems(b -> b.transactItems(items));
      return new GroupResult.Committed();
    } catch (TransactionCanceledException e) {
      List<CancellationReason> reasons = e.hasCancellationReasons() ? e.cancellationReasons() : List.of();
      for (int i = 0; i < reasons.size(); i++) {
        if ("ValidationError".equals(reasons.get(i).code())) {
          String jobId = i == 0 ? null : endings.get(endingOf.get(i)).job().jobId();
          String why = "DynamoDB refused the job's terminal write: "
              + Optional.ofNullable(reasons.get(i).message()).orElse(e.awsErrorDetails().errorMessage());
          return new GroupResult.NotStorable(jobId, why);
        }
      }
      if (!reasons.isEmpty() && "ConditionalCheckFailed".equals(reasons.get(0).code())) {
        Map<String, AttributeValue> old = reasons.get(0).hasItem() ? reasons.get(0).item() : null;
        return new GroupResult.StateMoved(old == null ? readState(keyId) : stateOf(old));
      }
      java.util.Set<String> lost = new java.util.LinkedHashSet<>();
      for (int i = 1; i < reasons.size(); i++) {
        if ("ConditionalCheckFailed".equals(reasons.get(i).code())) {
          lost.add(endings.get(endingOf.get(i)).job().jobId());
        }
      }
      if (!lost.isEmpty()) {
        return new GroupResult.LeasesLost(lost);
      }
      throw e;
    } catch (DynamoDbException e) {
      if (e.statusCode() == 400 && e.awsErrorDetails() != null
          && "ValidationException".equals(e.awsErrorDetails().errorCode())) {
        return new GroupResult.NotStorable(endings.size() == 1 ? endings.get(0).job().jobId() : null,
            "DynamoDB refused the group's terminal write: " + e.awsErrorDetails().errorMessage());
      }
      throw e;
    }
  }

  /** The key's stored state, read consistently; null when it has none. */
  public SealedBlob readState(String keyId) {
    Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(keysTable)
        .key(Map.of(dev.keep.schema.tables.TenantAttributes.KEY_ID, s(keyId))).consistentRead(true)
        .projectionExpression("#s").expressionAttributeNames(Map.of("#s", DynamoDbSealedKeys.SEALED_STATE))).item();
    return item == null ? null : stateOf(item);
  }

  private static SealedBlob stateOf(Map<String, AttributeValue> item) {
    AttributeValue v = item.get(DynamoDbSealedKeys.SEALED_STATE);
    if (v == null) {
      return null;
    }
    try {
      return Json.MAPPER.readValue(v.s(), SealedBlob.class);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("the stored state is not a sealed blob: " + e.getMessage(), e);
    }
  }

  /**
   * Takes the lease on a job that is QUEUED, or RUNNING under an expired lease (its worker died),
   * and counts the attempt. On failure the old item comes back with the error
   * (ReturnValuesOnConditionCheckFailure=ALL_OLD), so no second read is needed.
   */
  public Claim claim(String jobId, String owner, Instant now, Duration lease) {
    Instant expires = now.plus(lease);
    UpdateItemRequest request =
        UpdateItemRequest.builder()
            .tableName(jobsTable)
            .key(Map.of(JOB_ID, s(jobId)))
            .updateExpression(
                "SET #status = :running, #owner = :owner, #expires = :expires, #updated = :now,"
                    + " #attempts = if_not_exists(#attempts, :zero) + :one REMOVE #pending")
            .conditionExpression(
                "attribute_exists(#jobId) AND (#status = :queued OR (#status = :running AND #expires < :nowMillis))")
            .expressionAttributeNames(
                Map.of(
                    "#jobId", JOB_ID,
                    "#status", STATUS,
                    "#owner", LEASE_OWNER,
                    "#expires", LEASE_EXPIRES_AT,
                    "#updated", UPDATED_AT,
                    "#attempts", ATTEMPTS,
                    "#pending", PENDING_SHARD))
            .expressionAttributeValues(
                Map.of(
                    ":running", s(JobStatus.RUNNING.name()),
                    ":queued", s(JobStatus.QUEUED.name()),
                    ":owner", s(owner),
                    ":expires", n(expires.toEpochMilli()),
                    ":nowMillis", n(now.toEpochMilli()),
                    ":now", s(now.toString()),
                    ":zero", n(0),
                    ":one", n(1)))
            .returnValues(ReturnValue.ALL_NEW)
            .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
            .build();
    try {
      Map<String, AttributeValue> item = dynamo.updateItem(request).attributes();
      return new Claim.Claimed(toJob(item), expires);
    } catch (ConditionalCheckFailedException e) {
      Map<String, AttributeValue> old = e.hasItem() ? e.item() : Map.of();
      if (old.isEmpty()) {
        return new Claim.NotFound();
      }
      JobStatus status = JobStatus.valueOf(old.get(STATUS).s());
      if (status.isTerminal()) {
        return new Claim.AlreadyTerminal(status);
      }
      return new Claim.LeasedByOther(
          str(old, LEASE_OWNER).orElse("?"),
          Instant.ofEpochMilli(Long.parseLong(old.get(LEASE_EXPIRES_AT).n())));
    }
  }

  /** Pushes the lease out while the enclave works. False when the lease was lost. */
  public boolean extendLease(String jobId, String owner, Instant newExpiry) {
    try {
      dynamo.updateItem(
          UpdateItemRequest.builder()
              .tableName(jobsTable)
              .key(Map.of(JOB_ID, s(jobId)))
              .updateExpression("SET #expires = :expires")
              .conditionExpression("#status = :running AND #owner = :owner")
              .expressionAttributeNames(
                  Map.of("#expires", LEASE_EXPIRES_AT, "#status", STATUS, "#owner", LEASE_OWNER))
              .expressionAttributeValues(
                  Map.of(
                      ":expires", n(newExpiry.toEpochMilli()),
                      ":running", s(JobStatus.RUNNING.name()),
                      ":owner", s(owner)))
              .build());
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  /**
   * Gives a claimed job back (after a transient failure) so the next delivery can claim it at
   * once instead of waiting for the lease to run out. The attempt stays counted.
   */
  public boolean release(String jobId, String owner, Instant now) {
    try {
      dynamo.updateItem(
          UpdateItemRequest.builder()
              .tableName(jobsTable)
              .key(Map.of(JOB_ID, s(jobId)))
              .updateExpression(
                  "SET #status = :queued, #pending = :shard, #updated = :now REMOVE #owner, #expires")
              .conditionExpression("#status = :running AND #owner = :owner")
              .expressionAttributeNames(
                  Map.of(
                      "#status", STATUS,
                      "#pending", PENDING_SHARD,
                      "#updated", UPDATED_AT,
                      "#owner", LEASE_OWNER,
                      "#expires", LEASE_EXPIRES_AT))
              .expressionAttributeValues(
                  Map.of(
                      ":queued", s(JobStatus.QUEUED.name()),
                      ":running", s(JobStatus.RUNNING.name()),
                      ":shard", s(PENDING_SHARD_0),
                      ":now", s(now.toString()),
                      ":owner", s(owner)))
              .build());
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  /**
   * DynamoDB refused a write for what it holds (an item over 400 KB, an attribute it cannot take),
   * not for load: the same write can never succeed, so retrying it only hides the cause.
   */
  public static final class NotStorableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotStorableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Writes the terminal state and the job's audit record in one transaction, only while {@code
   * owner} still holds the lease. Either both land or neither does, so a job never has a terminal
   * state without its audit record, nor two audit records.
   *
   * @return false when the lease was lost (another worker took the job over)
   * @throws NotStorableException when DynamoDB refuses the item itself, typically a result that
   *     does not fit; a later attempt would meet the same refusal
   */
  public boolean finish(Job job, String owner, Outcome outcome, AuditRecord audit, Instant now) {
    return writeWithAudit(terminalUpdate(job, owner, outcome, now), audit);
  }

  /** The job's terminal state, written only while {@code owner} holds its lease. */
  private Update terminalUpdate(Job job, String owner, Outcome outcome, Instant now) {
    Map<String, String> names = new HashMap<>();
    Map<String, AttributeValue> values = new HashMap<>();
    names.put("#status", STATUS);
    names.put("#owner", LEASE_OWNER);
    names.put("#expires", LEASE_EXPIRES_AT);
    names.put("#updated", UPDATED_AT);
    names.put("#finished", FINISHED_AT);
    values.put(":terminal", s(outcome.status().name()));
    values.put(":running", s(JobStatus.RUNNING.name()));
    values.put(":owner", s(owner));
    values.put(":now", s(now.toString()));
    String set = "SET #status = :terminal, #updated = :now, #finished = :now";
    switch (outcome) {
      case Outcome.Signed signed -> {
        names.put("#result", RESULT);
        values.put(":result", s(signed.resultJson()));
        set += ", #result = :result";
      }
      case Outcome.Evaluated evaluated -> {
        names.put("#result", RESULT);
        values.put(":result", s(evaluated.resultJson()));
        set += ", #result = :result";
      }
      case Outcome.Rejected r -> set += setError(names, values, r.code(), r.message());
      case Outcome.Failed f -> set += setError(names, values, f.code(), f.message());
    }
    return Update.builder()
        .tableName(jobsTable)
        .key(Map.of(JOB_ID, s(job.jobId())))
        .updateExpression(set + " REMOVE #owner, #expires")
        .conditionExpression("#status = :running AND #owner = :owner")
        .expressionAttributeNames(names)
        .expressionAttributeValues(values)
        .build();
  }

  /** The job's audit record, written only if the job has none. */
  private Put auditPut(AuditRecord audit) {
    return Put.builder()
        .tableName(auditTable)
        .item(audit.toItem())
        .conditionExpression("attribute_not_exists(jobId)")
        .build();
  }

  /**
   * The job update and its audit record in one transaction; the record is written only if the
   * job has none, so a job never gets two. False when either condition failed.
   */
  private boolean writeWithAudit(Update update, AuditRecord audit) {
    Put put = auditPut(audit);
    try {
      dynamo.transactWriteItems(
          b -> b.transactItems(
              TransactWriteItem.builder().update(update).build(),
              TransactWriteItem.builder().put(put).build()));
      return true;
    } catch (TransactionCanceledException e) {
      boolean conditionFailed =
          e.cancellationReasons().stream()
              .map(CancellationReason::code)
              .anyMatch("ConditionalCheckFailed"::equals);
      if (conditionFailed) {
        return false;
      }
      // DynamoDB names a refused item ValidationError among the cancellation reasons.
      Optional<CancellationReason> invalid = e.cancellationReasons().stream()
          .filter(r -> "ValidationError".equals(r.code())).findFirst();
      if (invalid.isPresent()) {
        throw new NotStorableException("DynamoDB refused the job's terminal write: "
            + Optional.ofNullable(invalid.get().message()).orElse(e.awsErrorDetails().errorMessage()), e);
      }
      throw e;
    } catch (DynamoDbException e) {
      if (e.statusCode() == 400 && e.awsErrorDetails() != null
          && "ValidationException".equals(e.awsErrorDetails().errorCode())) {
        throw new NotStorableException("DynamoDB refused the job's terminal write: "
            + e.awsErrorDetails().errorMessage(), e);
      }
      throw e;
    }
  }

  private static String setError(
      Map<String, String> names, Map<String, AttributeValue> values, String code, String message) {
    names.put("#errorCode", ERROR_CODE);
    names.put("#errorMessage", ERROR_MESSAGE);
    values.put(":errorCode", s(code));
    values.put(":errorMessage", s(cut(message)));
    return ", #errorCode = :errorCode, #errorMessage = :errorMessage";
  }

  /** The job's current status, read consistently. */
  public Optional<JobStatus> status(String jobId) {
    Map<String, AttributeValue> item =
        dynamo
            .getItem(
                GetItemRequest.builder()
                    .tableName(jobsTable)
                    .key(Map.of(JOB_ID, s(jobId)))
                    .consistentRead(true)
                    .projectionExpression("#status")
                    .expressionAttributeNames(Map.of("#status", STATUS))
                    .build())
            .item();
    return item == null || item.isEmpty()
        ? Optional.empty()
        : Optional.of(JobStatus.valueOf(item.get(STATUS).s()));
  }

  /** Reads a job whatever its state (for the dead-letter path, which holds no lease). */
  public Optional<Job> read(String jobId) {
    Map<String, AttributeValue> item =
        dynamo
            .getItem(
                GetItemRequest.builder()
                    .tableName(jobsTable)
                    .key(Map.of(JOB_ID, s(jobId)))
                    .consistentRead(true)
                    .build())
            .item();
    return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toJob(item));
  }

  /**
   * Fails a job that is not yet terminal, whoever holds it, with its audit record: for messages
   * that reached the dead-letter queue. False when the job had already ended.
   */
  public boolean failUnfinished(Job job, String code, String message, AuditRecord audit, Instant now) {
    Update update =
        Update.builder()
            .tableName(jobsTable)
            .key(Map.of(JOB_ID, s(job.jobId())))
            .updateExpression(
                "SET #status = :failed, #updated = :now, #finished = :now, #errorCode = :code,"
                    + " #errorMessage = :message REMOVE #owner, #expires, #pending")
            .conditionExpression("#status IN (:queued, :running)")
            .expressionAttributeNames(
                Map.of(
                    "#status", STATUS,
                    "#updated", UPDATED_AT,
                    "#finished", FINISHED_AT,
                    "#errorCode", ERROR_CODE,
                    "#errorMessage", ERROR_MESSAGE,
                    "#owner", LEASE_OWNER,
                    "#expires", LEASE_EXPIRES_AT,
                    "#pending", PENDING_SHARD))
            .expressionAttributeValues(
                Map.of(
                    ":failed", s(JobStatus.FAILED.name()),
                    ":queued", s(JobStatus.QUEUED.name()),
                    ":running", s(JobStatus.RUNNING.name()),
                    ":now", s(now.toString()),
                    ":code", s(code),
                    ":message", s(cut(message))))
            .build();
    return writeWithAudit(update, audit);
  }

  /** A stored message stays within the share of the item it was given ({@link JobItemBudget}). */
  private static String cut(String message) {
    int max = JobItemBudget.MAX_ERROR_MESSAGE_CHARS;
    return message.length() <= max ? message : message.substring(0, max) + "...";
  }

  private static Job toJob(Map<String, AttributeValue> item) {
    return new Job(
        item.get(JOB_ID).s(),
        item.get(TENANT_ID).s(),
        item.get(KEY_ID).s(),
        item.get(KIND).s(),
        item.get(REQUEST).s(),
        JobStatus.valueOf(item.get(STATUS).s()),
        item.containsKey(ATTEMPTS) ? Integer.parseInt(item.get(ATTEMPTS).n()) : 0);
  }

  private static Optional<String> str(Map<String, AttributeValue> item, String name) {
    AttributeValue v = item.get(name);
    return v == null ? Optional.empty() : Optional.ofNullable(v.s());
  }

  static AttributeValue s(String value) {
    return AttributeValue.fromS(value);
  }

  static AttributeValue n(long value) {
    return AttributeValue.fromN(Long.toString(value));
  }
}
