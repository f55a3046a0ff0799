package dev.keep.worker.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.emulators.dynamodb.SharedMotoServer;
import dev.keep.emulators.dynamodb.TableCreator;
import dev.keep.schema.api.JobStatus;
import dev.keep.schema.tables.JobAttributes;
import dev.keep.schema.tables.Tables;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The claim/lease/finish state machine against moto's DynamoDB, with time passed in. */
class JobStoreTest {
  private static final String PREFIX = SharedMotoServer.tablePrefix("JobStoreTest");
  private static final String JOBS = PREFIX + Tables.JOBS.name();
  private static final String AUDIT = PREFIX + Tables.AUDIT.name();
  private static DynamoDbClient dynamo;
  private static JobStore store;
  private static final Instant T0 = Instant.parse("2026-11-24T12:00:00Z");
  private static final Duration LEASE = Duration.ofSeconds(30);

  @BeforeAll
  static void start() {
    dynamo = DynamoDbClient.builder()
        .endpointOverride(SharedMotoServer.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .build();
    TableCreator.createAll(dynamo, Tables.withPrefix(PREFIX));
    store = new JobStore(dynamo, JOBS, AUDIT);
  }

  @AfterAll
  static void stop() {
    dynamo.close();
  }

  private static String queuedJob() {
    String jobId = UUID.randomUUID().toString();
    dynamo.putItem(b -> b.tableName(JOBS).item(Map.of(
        JobAttributes.JOB_ID, AttributeValue.fromS(jobId),
        JobAttributes.TENANT_ID, AttributeValue.fromS("t1"),
        JobAttributes.KEY_ID, AttributeValue.fromS("k1"),
        JobAttributes.KIND, AttributeValue.fromS("message"),
        JobAttributes.REQUEST, AttributeValue.fromS("{\"kind\":\"message\",\"keyId\":\"k1\",\"message\":\"00\"}"),
        JobAttributes.STATUS, AttributeValue.fromS("QUEUED"),
        JobAttributes.CREATED_AT, AttributeValue.fromS(T0.toString()),
        JobAttributes.ATTEMPTS, AttributeValue.fromN("0"),
        JobAttributes.PENDING_SHARD, AttributeValue.fromS(JobAttributes.PENDING_SHARD_0))));
    return jobId;
  }

  private static Map<String, AttributeValue> item(String table, String jobId) {
    return dynamo.getItem(b -> b.tableName(table).key(Map.of("jobId", AttributeValue.fromS(jobId))).consistentRead(true)).item();
  }

  @Test
  void claimTakesTheLeaseCountsTheAttemptAndLeavesThePendingIndex() {
    String jobId = queuedJob();
    Claim.Claimed claimed = assertInstanceOf(Claim.Claimed.class, store.claim(jobId, "w1", T0, LEASE));
    assertEquals(1, claimed.job().attempts());
    assertEquals(T0.plus(LEASE), claimed.leaseExpiresAt());
    Map<String, AttributeValue> item = item(JOBS, jobId);
    assertEquals("RUNNING", item.get("status").s());
    assertEquals("w1", item.get("leaseOwner").s());
    assertFalse(item.containsKey("pendingShard"));
  }

  @Test
  void aLiveLeaseKeepsOtherWorkersOutAndAnExpiredOneLetsThemIn() {
    String jobId = queuedJob();
    store.claim(jobId, "w1", T0, LEASE);
    Claim.LeasedByOther other = assertInstanceOf(Claim.LeasedByOther.class,
        store.claim(jobId, "w2", T0.plusSeconds(29), LEASE));
    assertEquals("w1", other.owner());
    assertEquals(T0.plus(LEASE), other.leaseExpiresAt());
    Claim.Claimed taken = assertInstanceOf(Claim.Claimed.class, store.claim(jobId, "w2", T0.plusSeconds(31), LEASE));
    assertEquals(2, taken.job().attempts());
  }

  @Test
  void onlyTheLeaseOwnerCanFinishAndTheAuditRecordLandsWithTheState() {
    String jobId = queuedJob();
    Job first = ((Claim.Claimed) store.claim(jobId, "w1", T0, LEASE)).job();
    Job second = ((Claim.Claimed) store.claim(jobId, "w2", T0.plusSeconds(31), LEASE)).job();
    Outcome signed = new Outcome.Signed("{\"signature\":\"aa\"}");
    // The first worker wakes up late: its lease is gone, so neither state nor audit is written.
    assertFalse(store.finish(first, "w1", signed, AuditRecord.of(first, signed, "w1", T0.plusSeconds(32)), T0.plusSeconds(32)));
    assertTrue(item(AUDIT, jobId).isEmpty());
    assertTrue(store.finish(second, "w2", signed, AuditRecord.of(second, signed, "w2", T0.plusSeconds(33)), T0.plusSeconds(33)));
    Map<String, AttributeValue> job = item(JOBS, jobId);
    assertEquals("SIGNED", job.get("status").s());
    assertFalse(job.containsKey("leaseOwner"));
    Map<String, AttributeValue> audit = item(AUDIT, jobId);
    assertEquals("SIGNED", audit.get("decision").s());
    assertEquals("w2", audit.get("workerId").s());
    assertEquals("2", audit.get("attempts").n());
    // Finishing again (a duplicate) changes nothing.
    assertFalse(store.finish(second, "w2", signed, AuditRecord.of(second, signed, "w2", T0.plusSeconds(34)), T0.plusSeconds(34)));
    assertInstanceOf(Claim.AlreadyTerminal.class, store.claim(jobId, "w3", T0.plusSeconds(99), LEASE));
  }

  @Test
  void releaseHandsTheJobBackForTheNextDelivery() {
    String jobId = queuedJob();
    store.claim(jobId, "w1", T0, LEASE);
    assertFalse(store.release(jobId, "w2", T0), "only the owner releases");
    assertTrue(store.release(jobId, "w1", T0));
    assertEquals(JobStatus.QUEUED, store.status(jobId).orElseThrow());
    assertEquals(JobAttributes.PENDING_SHARD_0, item(JOBS, jobId).get("pendingShard").s());
    Claim.Claimed again = assertInstanceOf(Claim.Claimed.class, store.claim(jobId, "w2", T0.plusSeconds(1), LEASE));
    assertEquals(2, again.job().attempts());
  }

  @Test
  void extendLeaseOnlyForTheOwner() {
    String jobId = queuedJob();
    store.claim(jobId, "w1", T0, LEASE);
    assertTrue(store.extendLease(jobId, "w1", T0.plusSeconds(60)));
    assertFalse(store.extendLease(jobId, "w2", T0.plusSeconds(90)));
    assertInstanceOf(Claim.LeasedByOther.class, store.claim(jobId, "w2", T0.plusSeconds(45), LEASE));
  }

  @Test
  void unknownJobIsNotFound() {
    assertInstanceOf(Claim.NotFound.class, store.claim("no-such-job", "w1", T0, LEASE));
  }

  @Test
  void deadLetterFailureEndsAnUnfinishedJobOnce() {
    String jobId = queuedJob();
    Job job = store.read(jobId).orElseThrow();
    Outcome failed = new Outcome.Failed("DELIVERY_FAILED", "dead-lettered");
    assertTrue(store.failUnfinished(job, "DELIVERY_FAILED", "dead-lettered", AuditRecord.of(job, failed, "w1", T0), T0));
    assertFalse(store.failUnfinished(job, "DELIVERY_FAILED", "dead-lettered", AuditRecord.of(job, failed, "w1", T0), T0));
    assertEquals(JobStatus.FAILED, store.status(jobId).orElseThrow());
    assertEquals("FAILED", item(AUDIT, jobId).get("decision").s());
  }

  /**
   * Issue #14: a result that does not fit the item was retried until ATTEMPTS_EXHAUSTED, which hid
   * the cause. The emulator's own 400 KB check refuses it; the store reports that as not storable,
   * and the job can then be ended FAILED with the cause, the result left out.
   */
  @Test
  void aResultOverTheItemLimit_isNotStorable_andTheJobEndsWithTheCause() {
    String jobId = queuedJob();
    Job job = ((Claim.Claimed) store.claim(jobId, "w1", T0, LEASE)).job();
    Outcome huge = new Outcome.Signed("{\"event\":\"" + "a".repeat(420_000) + "\"}");
    JobStore.NotStorableException e = assertThrows(JobStore.NotStorableException.class,
        () -> store.finish(job, "w1", huge, AuditRecord.of(job, huge, "w1", T0), T0));
    assertTrue(e.getMessage().startsWith("DynamoDB refused the job's terminal write: "), e.getMessage());
    assertEquals("RUNNING", item(JOBS, jobId).get("status").s(), "nothing was written");
    assertTrue(item(AUDIT, jobId).isEmpty());

    Outcome failed = new Outcome.Failed("RESULT_NOT_STORED", "x".repeat(100_000));
    assertTrue(store.finish(job, "w1", failed, AuditRecord.of(job, failed, "w1", T0), T0));
    Map<String, AttributeValue> ended = item(JOBS, jobId);
    assertEquals("FAILED", ended.get("status").s());
    assertEquals("RESULT_NOT_STORED", ended.get("errorCode").s());
    assertTrue(ended.get("errorMessage").s().length() <= dev.keep.schema.tables.JobItemBudget.MAX_ERROR_MESSAGE_CHARS + 3,
        "a stored message is cut to its share of the item");
  }
}
