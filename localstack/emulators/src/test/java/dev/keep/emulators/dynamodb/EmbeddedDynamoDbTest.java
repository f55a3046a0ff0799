package dev.keep.emulators.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.emulators.LocalAws;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

class EmbeddedDynamoDbTest {
  private static final String TABLE = "orders";

  private static EmbeddedDynamoDb db;
  private static DynamoDbClient client;

  @BeforeAll
  static void start() {
    db = EmbeddedDynamoDb.start(0);
    client = LocalAws.dynamoDb(db.endpoint());
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
    if (db != null) {
      db.close();
    }
  }

  @Test
  void bindsLoopbackOnAChosenPort() {
    assertEquals("127.0.0.1", db.endpoint().getHost());
    assertTrue(db.endpoint().getPort() > 0);
  }

  @Test
  void conditionalPutRefusesASecondWriteOfTheSameKey() {
    Map<String, AttributeValue> item = order("o-1", "alice", "2025-01-01T00:00:00Z");
    client.putItem(
        b -> b.tableName(TABLE).item(item).conditionExpression("attribute_not_exists(id)"));

    assertThrows(
        ConditionalCheckFailedException.class,
        () ->
            client.putItem(
                b ->
                    b.tableName(TABLE).item(item).conditionExpression("attribute_not_exists(id)")));
  }

  @Test
  void transactionWritesAllOrNothing() {
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

  @Test
  void eachInstanceHasItsOwnDatabaseAndStopsListening() throws IOException {
    int port;
    try (EmbeddedDynamoDb other = EmbeddedDynamoDb.start(0);
        DynamoDbClient otherClient = LocalAws.dynamoDb(other.endpoint())) {
      port = other.endpoint().getPort();
      assertEquals(List.of(), otherClient.listTables().tableNames());
    }
    try (Socket socket = new Socket()) {
      assertThrows(
          IOException.class, () -> socket.connect(new InetSocketAddress("127.0.0.1", port), 1000));
    }
    assertEquals(List.of(TABLE), client.listTables().tableNames());
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
