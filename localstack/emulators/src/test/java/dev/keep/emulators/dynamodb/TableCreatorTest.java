package dev.keep.emulators.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keep.emulators.LocalAws;
import dev.keep.schema.tables.TableDefinition;
import dev.keep.schema.tables.TableDefinition.Attribute;
import dev.keep.schema.tables.TableDefinition.Index;
import dev.keep.schema.tables.Tables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/** Keep's tables as moto creates them from their definitions, on the shared server. */
class TableCreatorTest {
  private static final String PREFIX = SharedMotoServer.tablePrefix("TableCreatorTest");
  private static final List<TableDefinition> TABLES = Tables.withPrefix(PREFIX);
  private static final String TENANTS = PREFIX + Tables.TENANTS.name();

  private static DynamoDbClient client;

  @BeforeAll
  static void start() {
    client = LocalAws.dynamoDb(SharedMotoServer.endpoint());
    TableCreator.createAll(client, TABLES);
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  void createsEveryKeepTable() {
    assertEquals(
        TABLES.stream().map(TableDefinition::name).sorted().toList(),
        client.listTablesPaginator().tableNames().stream().filter(n -> n.startsWith(PREFIX)).sorted().toList());
  }

  @Test
  void describedTablesMatchTheirDefinitions() {
    for (TableDefinition definition : TABLES) {
      TableDescription table = client.describeTable(b -> b.tableName(definition.name())).table();

      assertEquals(TableStatus.ACTIVE, table.tableStatus(), definition.name());
      assertEquals(
          BillingMode.PAY_PER_REQUEST, table.billingModeSummary().billingMode(), definition.name());
      assertEquals(
          keys(definition.partitionKey(), definition.sortKeyIfAny()), keys(table.keySchema()));
      assertEquals(expectedAttributes(definition), attributes(table.attributeDefinitions()));
      assertEquals(
          expectedIndexes(definition), indexes(table.globalSecondaryIndexes()), definition.name());
      assertEquals(
          definition.streamViewType(),
          Optional.ofNullable(table.streamSpecification())
              .filter(s -> Boolean.TRUE.equals(s.streamEnabled()))
              .map(s -> s.streamViewTypeAsString()),
          definition.name());
      var ttl = client.describeTimeToLive(b -> b.tableName(definition.name())).timeToLiveDescription();
      assertEquals(definition.ttlAttribute(),
          Optional.ofNullable(ttl.attributeName()).filter(n -> "ENABLED".equals(ttl.timeToLiveStatusAsString())),
          definition.name());
    }
  }

  @Test
  void createAllAgainIsHarmless() {
    client.putItem(
        b ->
            b.tableName(TENANTS)
                .item(Map.of("apiKeyHash", AttributeValue.fromS("h"))));

    TableCreator.createAll(client, TABLES);

    assertFalse(
        client
            .getItem(
                b ->
                    b.tableName(TENANTS)
                        .key(Map.of("apiKeyHash", AttributeValue.fromS("h"))))
            .item()
            .isEmpty());
  }

  @Test
  void conflictingAttributeTypesAreRejected() {
    TableDefinition broken =
        new TableDefinition(
            "broken",
            new Attribute("id", "S"),
            null,
            List.of(new Index("byId", new Attribute("id", "N"), null, "ALL")),
            null,
            null);

    assertThrows(IllegalArgumentException.class, () -> TableCreator.toRequest(broken));
  }

  private static List<String> keys(Attribute partition, Optional<Attribute> sort) {
    List<String> keys = new ArrayList<>();
    keys.add(partition.name() + ":HASH");
    sort.ifPresent(s -> keys.add(s.name() + ":RANGE"));
    return keys;
  }

  private static List<String> keys(List<KeySchemaElement> schema) {
    return schema.stream().map(k -> k.attributeName() + ":" + k.keyTypeAsString()).toList();
  }

  private static Map<String, String> expectedAttributes(TableDefinition definition) {
    Map<String, String> expected = new TreeMap<>();
    expected.put(definition.partitionKey().name(), definition.partitionKey().type());
    definition.sortKeyIfAny().ifPresent(a -> expected.put(a.name(), a.type()));
    for (Index index : definition.globalSecondaryIndexes()) {
      expected.put(index.partitionKey().name(), index.partitionKey().type());
      index.sortKeyIfAny().ifPresent(a -> expected.put(a.name(), a.type()));
    }
    return expected;
  }

  private static Map<String, String> attributes(List<AttributeDefinition> definitions) {
    return definitions.stream()
        .collect(
            Collectors.toMap(
                AttributeDefinition::attributeName,
                AttributeDefinition::attributeTypeAsString,
                (a, b) -> a,
                TreeMap::new));
  }

  private static Map<String, String> expectedIndexes(TableDefinition definition) {
    return definition.globalSecondaryIndexes().stream()
        .collect(
            Collectors.toMap(
                Index::name,
                i -> keys(i.partitionKey(), i.sortKeyIfAny()) + " " + i.projection(),
                (a, b) -> a,
                TreeMap::new));
  }

  private static Map<String, String> indexes(List<GlobalSecondaryIndexDescription> descriptions) {
    return descriptions.stream()
        .collect(
            Collectors.toMap(
                GlobalSecondaryIndexDescription::indexName,
                i -> keys(i.keySchema()) + " " + i.projection().projectionTypeAsString(),
                (a, b) -> a,
                TreeMap::new));
  }
}
