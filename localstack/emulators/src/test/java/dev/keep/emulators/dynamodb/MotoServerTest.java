package dev.keep.emulators.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.emulators.LocalAws;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * moto as Keep uses DynamoDB: the conditional writes, transactions, indexes and limits the job
 * store relies on, through the real SDK, on the shared server; and the server's own life cycle on
 * servers of this test's own.
 */
class MotoServerTest {
  private static final String TABLE = SharedMotoServer.tablePrefix("MotoServerTest") + "orders";

  private static DynamoDbClient client;

  @BeforeAll
  static void start() {
    client = LocalAws.dynamoDb(SharedMotoServer.endpoint());
    client.createTable(
        b ->
            b.tableName(TABLE)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(attribute("id"), attribute("customer"), attribute("placedAt"))
                .keySchema(key("id", KeyType.HASH))
                .globalSecondaryIndexes(
                    GlobalSecondaryIndex.builder()
                        .indexName("byCustomer")
                        .keySchema(key("customer", KeyType.HASH), key("placedAt", KeyType.RANGE))
                        .projection(p -> p.projectionType(ProjectionType.ALL))
                        .build()));
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
  }

  /**
   * The launcher's fourth fix: an iterator is used once (the local webhook dispatcher polls the jobs
   * stream several times a second, and moto kept every iterator it ever made), and GetRecords hands
   * out the next one, which reads on from there.
   */
  @Test
  void aStreamIteratorIsUsedOnce_andTheNextOneReadsOn() {
    String table = SharedMotoServer.tablePrefix("MotoServerTest") + "streamed";
    client.createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
        .attributeDefinitions(attribute("id")).keySchema(key("id", KeyType.HASH))
        .streamSpecification(s -> s.streamEnabled(true)
            .streamViewType(software.amazon.awssdk.services.dynamodb.model.StreamViewType.NEW_AND_OLD_IMAGES)));
    try (var streams = LocalAws.dynamoDbStreams(SharedMotoServer.endpoint())) {
      String arn = client.describeTable(b -> b.tableName(table)).table().latestStreamArn();
      String shard = streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards().getFirst().shardId();
      String first = streams.getShardIterator(b -> b.streamArn(arn).shardId(shard)
          .shardIteratorType(software.amazon.awssdk.services.dynamodb.model.ShardIteratorType.TRIM_HORIZON)).shardIterator();
      client.putItem(b -> b.tableName(table).item(Map.of("id", AttributeValue.fromS("a"))));
      var read = streams.getRecords(b -> b.shardIterator(first));
      assertEquals(1, read.records().size());
      assertThrows(software.amazon.awssdk.core.exception.SdkException.class,
          () -> streams.getRecords(b -> b.shardIterator(first)), "an iterator is used once");
      client.putItem(b -> b.tableName(table).item(Map.of("id", AttributeValue.fromS("b"))));
      var next = streams.getRecords(b -> b.shardIterator(read.nextShardIterator()));
      assertEquals(List.of("b"), next.records().stream().map(r -> r.dynamodb().newImage().get("id").s()).toList());
    }
  }

  @Test
  void bindsLoopbackOnAChosenPort() {
    assertEquals("127.0.0.1", SharedMotoServer.endpoint().getHost());
    assertTrue(SharedMotoServer.endpoint().getPort() > 0);
  }

  @Test
  void conditionalPutRefusesASecondWriteOfTheSameKey_andReturnsTheOldItemWhenAsked() {
    Map<String, AttributeValue> item = order("o-1", "alice", "2025-01-01T00:00:00Z");
    client.putItem(
        b -> b.tableName(TABLE).item(item).conditionExpression("attribute_not_exists(id)"));

    ConditionalCheckFailedException e =
        assertThrows(
            ConditionalCheckFailedException.class,
            () ->
                client.putItem(
                    b ->
                        b.tableName(TABLE)
                            .item(order("o-1", "mallory", "2025-01-09T00:00:00Z"))
                            .conditionExpression("attribute_not_exists(id)")
                            .returnValuesOnConditionCheckFailure(
                                ReturnValuesOnConditionCheckFailure.ALL_OLD)));
    assertEquals(item, e.item());
  }

  @Test
  void transactionWritesAllOrNothing_andNamesTheFailedCondition() {
    client.transactWriteItems(
        b ->
            b.transactItems(
                put(order("t-1", "bob", "2025-01-02T00:00:00Z")),
                put(order("t-2", "bob", "2025-01-03T00:00:00Z"))));
    assertTrue(client.getItem(b -> b.tableName(TABLE).key(key("t-1"))).hasItem());
    assertTrue(client.getItem(b -> b.tableName(TABLE).key(key("t-2"))).hasItem());

    // t-1 exists, so the condition on it fails and t-3 must not be written either.
    TransactionCanceledException e =
        assertThrows(
            TransactionCanceledException.class,
            () ->
                client.transactWriteItems(
                    b ->
                        b.transactItems(
                            put(order("t-3", "bob", "2025-01-04T00:00:00Z")),
                            TransactWriteItem.builder()
                                .conditionCheck(
                                    c ->
                                        c.tableName(TABLE)
                                            .key(key("t-1"))
                                            .conditionExpression("attribute_not_exists(id)"))
                                .build())));
    assertEquals(
        List.of("None", "ConditionalCheckFailed"),
        e.cancellationReasons().stream().map(r -> r.code()).toList());
    assertFalse(client.getItem(b -> b.tableName(TABLE).key(key("t-3"))).hasItem());
  }

  @Test
  void globalSecondaryIndexAnswersQueriesInSortKeyOrder() {
    client.putItem(b -> b.tableName(TABLE).item(order("q-2", "carol", "2025-02-02T00:00:00Z")));
    client.putItem(b -> b.tableName(TABLE).item(order("q-1", "carol", "2025-02-01T00:00:00Z")));
    client.putItem(b -> b.tableName(TABLE).item(order("q-3", "dave", "2025-02-03T00:00:00Z")));

    List<String> ids =
        client
            .query(
                b ->
                    b.tableName(TABLE)
                        .indexName("byCustomer")
                        .keyConditionExpression("customer = :c")
                        .expressionAttributeValues(Map.of(":c", s("carol"))))
            .items()
            .stream()
            .map(i -> i.get("id").s())
            .toList();

    assertEquals(List.of("q-1", "q-2"), ids);
  }

  /**
   * Keep's launcher serialises moto's DynamoDB calls: moto 5.2 on its own let two of sixteen
   * concurrent conditional writes of one item both succeed in about one round of forty. Here every
   * round has exactly one winner, as DynamoDB has.
   */
  @Test
  void concurrentConditionalWritesOfOneItem_haveOneWinner() throws Exception {
    List<String> doubleWins = new java.util.ArrayList<>();
    for (int round = 0; round < 40; round++) {
      String id = "race-" + round;
      client.putItem(b -> b.tableName(TABLE).item(Map.of("id", s(id), "n", AttributeValue.fromN("0"))));
      java.util.concurrent.atomic.AtomicInteger winners = new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
        for (int t = 0; t < 16; t++) {
          int me = t;
          pool.submit(() -> {
            go.await();
            try {
              client.updateItem(b -> b.tableName(TABLE).key(key(id)).updateExpression("SET n = :next")
                  .conditionExpression("n = :zero")
                  .expressionAttributeValues(Map.of(":zero", AttributeValue.fromN("0"),
                      ":next", AttributeValue.fromN(Integer.toString(me + 1)))));
              winners.incrementAndGet();
            } catch (ConditionalCheckFailedException e) {
              // another writer was first
            }
            return null;
          });
        }
        go.countDown();
      }
      if (winners.get() != 1) {
        doubleWins.add(id + ": " + winners.get() + " winners");
      }
    }
    assertEquals(List.of(), doubleWins);
  }

  @Test
  void anItemOver400KbIsRefused() {
    Map<String, AttributeValue> item =
        Map.of("id", s("big"), "payload", s("x".repeat(400 * 1024)));

    DynamoDbException e =
        assertThrows(
            DynamoDbException.class, () -> client.putItem(b -> b.tableName(TABLE).item(item)));
    assertEquals("ValidationException", e.awsErrorDetails().errorCode());
    assertFalse(client.getItem(b -> b.tableName(TABLE).key(key("big"))).hasItem());
  }

  @Test
  void eachServerHasItsOwnState_resetEmptiesIt_andCloseStopsIt() throws Exception {
    int port;
    long pid;
    try (MotoServer own = MotoServer.start();
        DynamoDbClient ownClient = LocalAws.dynamoDb(own.endpoint())) {
      port = own.endpoint().getPort();
      pid = own.pid();
      assertEquals(List.of(), ownClient.listTables().tableNames());
      ownClient.createTable(
          b ->
              b.tableName("scratch")
                  .billingMode(BillingMode.PAY_PER_REQUEST)
                  .attributeDefinitions(attribute("id"))
                  .keySchema(key("id", KeyType.HASH)));
      assertEquals(List.of("scratch"), ownClient.listTables().tableNames());
      own.reset();
      assertEquals(List.of(), ownClient.listTables().tableNames());
    }
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "moto_server still running");
    try (Socket socket = new Socket()) {
      assertThrows(
          IOException.class, () -> socket.connect(new InetSocketAddress("127.0.0.1", port), 1000));
    }
    assertTrue(client.listTables().tableNames().contains(TABLE), "the shared server is untouched");
  }

  @Test
  void aServerThatExitsAtOnceIsReportedWithItsOutput(@TempDir Path dir) throws Exception {
    // moto is started through Keep's launcher, with the Python beside moto_server (a pyenv shim's way).
    Path fake = dir.resolve("moto_server");
    Files.writeString(fake, "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
    Path python = dir.resolve("python3");
    Files.writeString(python, "#!/bin/sh\necho 'ImportError: No module named flask' >&2\nexit 3\n");
    Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwx------"));
    MotoExecutable executable =
        MotoExecutable.find(Map.of(MotoExecutable.OVERRIDE, fake.toString()), dir);

    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> MotoServer.start(executable, dir.resolve("log")));
    assertTrue(e.getMessage().contains("exited with code 3"), e.getMessage());
    assertTrue(e.getMessage().contains("ImportError: No module named flask"), e.getMessage());
  }

  private static TransactWriteItem put(Map<String, AttributeValue> item) {
    return TransactWriteItem.builder()
        .put(p -> p.tableName(TABLE).item(item).conditionExpression("attribute_not_exists(id)"))
        .build();
  }

  private static Map<String, AttributeValue> order(String id, String customer, String placedAt) {
    return Map.of("id", s(id), "customer", s(customer), "placedAt", s(placedAt));
  }

  private static Map<String, AttributeValue> key(String id) {
    return Map.of("id", s(id));
  }

  private static AttributeValue s(String value) {
    return AttributeValue.fromS(value);
  }

  private static AttributeDefinition attribute(String name) {
    return AttributeDefinition.builder()
        .attributeName(name)
        .attributeType(ScalarAttributeType.S)
        .build();
  }

  private static KeySchemaElement key(String name, KeyType type) {
    return KeySchemaElement.builder().attributeName(name).keyType(type).build();
  }
}
