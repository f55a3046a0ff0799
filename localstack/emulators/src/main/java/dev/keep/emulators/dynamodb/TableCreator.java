package dev.keep.emulators.dynamodb;

import dev.keep.schema.tables.TableDefinition;
import dev.keep.schema.tables.TableDefinition.Attribute;
import dev.keep.schema.tables.TableDefinition.Index;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * Creates Keep's tables from their definitions ({@code keep/tables/*.json}), so the local stack and
 * the SAM template cannot drift apart by hand.
 */
public final class TableCreator {
  private static final Logger LOG = LoggerFactory.getLogger(TableCreator.class);
  // moto makes tables and indexes ACTIVE at once; real DynamoDB takes seconds, and this also runs there.
  private static final Duration ACTIVE_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration FIRST_POLL = Duration.ofMillis(50);
  private static final Duration MAX_POLL = Duration.ofSeconds(2);

  private TableCreator() {}

  /**
   * Creates every table that does not exist yet, then waits until all of them, and their indexes,
   * are ACTIVE. A table that already exists is left as it is, so this is safe to repeat.
   */
  public static void createAll(DynamoDbClient client, List<TableDefinition> tables) {
    for (TableDefinition table : tables) {
      try {
        client.createTable(toRequest(table));
        LOG.info("created table {}", table.name());
      } catch (ResourceInUseException e) {
        LOG.debug("table {} already exists", table.name());
      }
    }
    for (TableDefinition table : tables) {
      awaitActive(client, table.name());
    }
    // TTL is set once the table is ACTIVE; setting it again to the same attribute is refused, so a
    // table that already has it is left alone.
    for (TableDefinition table : tables) {
      table.ttlAttribute().ifPresent(attribute -> {
        var current = client.describeTimeToLive(b -> b.tableName(table.name())).timeToLiveDescription();
        if (!attribute.equals(current.attributeName())) {
          client.updateTimeToLive(b -> b.tableName(table.name())
              .timeToLiveSpecification(t -> t.attributeName(attribute).enabled(true)));
        }
      });
    }
  }

  /** The CreateTable call for one definition: on-demand billing, GSIs, and its stream if any. */
  static CreateTableRequest toRequest(TableDefinition table) {
    Map<String, Attribute> attributes = new LinkedHashMap<>();
    addAttribute(attributes, table.partitionKey());
    table.sortKeyIfAny().ifPresent(a -> addAttribute(attributes, a));
    List<GlobalSecondaryIndex> indexes = new ArrayList<>();
    for (Index index : table.globalSecondaryIndexes()) {
      addAttribute(attributes, index.partitionKey());
      index.sortKeyIfAny().ifPresent(a -> addAttribute(attributes, a));
      indexes.add(
          GlobalSecondaryIndex.builder()
              .indexName(index.name())
              .keySchema(keySchema(index.partitionKey(), index.sortKeyIfAny()))
              .projection(
                  Projection.builder()
                      .projectionType(ProjectionType.fromValue(index.projection()))
                      .build())
              .build());
    }
    CreateTableRequest.Builder request =
        CreateTableRequest.builder()
            .tableName(table.name())
            .billingMode(BillingMode.PAY_PER_REQUEST)
            .keySchema(keySchema(table.partitionKey(), table.sortKeyIfAny()))
            .attributeDefinitions(
                attributes.values().stream()
                    .map(
                        a ->
                            AttributeDefinition.builder()
                                .attributeName(a.name())
                                .attributeType(a.type())
                                .build())
                    .toList());
    // CreateTable rejects an empty GSI list, so leave the field out when there are none.
    if (!indexes.isEmpty()) {
      request.globalSecondaryIndexes(indexes);
    }
    table
        .streamViewType()
        .ifPresent(
            view ->
                request.streamSpecification(
                    StreamSpecification.builder()
                        .streamEnabled(true)
                        .streamViewType(StreamViewType.fromValue(view))
                        .build()));
    return request.build();
  }

  private static List<KeySchemaElement> keySchema(Attribute partition, Optional<Attribute> sort) {
    List<KeySchemaElement> keys = new ArrayList<>(2);
    keys.add(
        KeySchemaElement.builder().attributeName(partition.name()).keyType(KeyType.HASH).build());
    sort.ifPresent(
        s ->
            keys.add(
                KeySchemaElement.builder().attributeName(s.name()).keyType(KeyType.RANGE).build()));
    return keys;
  }

  /** One definition per attribute name; the same name with two types is a broken definition. */
  private static void addAttribute(Map<String, Attribute> attributes, Attribute attribute) {
    Attribute earlier = attributes.putIfAbsent(attribute.name(), attribute);
    if (earlier != null && !earlier.type().equals(attribute.type())) {
      throw new IllegalArgumentException(
          "attribute "
              + attribute.name()
              + " is used as both "
              + earlier.type()
              + " and "
              + attribute.type());
    }
  }

  private static void awaitActive(DynamoDbClient client, String name) {
    Instant deadline = Instant.now().plus(ACTIVE_TIMEOUT);
    Duration pause = FIRST_POLL;
    while (true) {
      if (isActive(client, name)) {
        return;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("table " + name + " not ACTIVE after " + ACTIVE_TIMEOUT);
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for table " + name, e);
      }
      pause = pause.multipliedBy(2).compareTo(MAX_POLL) > 0 ? MAX_POLL : pause.multipliedBy(2);
    }
  }

  private static boolean isActive(DynamoDbClient client, String name) {
    TableDescription table;
    try {
      table = client.describeTable(b -> b.tableName(name)).table();
    } catch (ResourceNotFoundException e) {
      return false; // Created, but not yet visible to DescribeTable.
    }
    return table.tableStatus() == TableStatus.ACTIVE
        && table.globalSecondaryIndexes().stream()
            .map(GlobalSecondaryIndexDescription::indexStatus)
            .allMatch(status -> status == IndexStatus.ACTIVE);
  }
}
