package dev.keep.local.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The store's own write rate, measured in the same run as the pipeline, so the demo can report
 * its throughput as a ratio rather than a bare number from a shared, noisy machine. It writes to a
 * scratch table that it deletes afterwards.
 */
final class StoreBaseline {
  private final DynamoDbClient dynamo;
  private final String table;

  StoreBaseline(DynamoDbClient dynamo, String table) {
    this.dynamo = dynamo;
    this.table = table;
  }

  double writesPerSecond(int writes, int writers) throws Exception {
    dynamo.createTable(b -> b.tableName(table)
        .attributeDefinitions(AttributeDefinition.builder().attributeName("id").attributeType(ScalarAttributeType.S).build())
        .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
        .billingMode(BillingMode.PAY_PER_REQUEST));
    try {
      dynamo.waiter().waitUntilTableExists(b -> b.tableName(table));
      Instant start = Instant.now();
      List<Future<?>> done = new ArrayList<>();
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int w = 0; w < writers; w++) {
          int writer = w;
          done.add(pool.submit(() -> {
            for (int i = writer; i < writes; i += writers) {
              String id = "item-" + i;
              dynamo.putItem(b -> b.tableName(table).item(Map.of(
                  "id", AttributeValue.fromS(id), "payload", AttributeValue.fromS("x".repeat(200)))));
            }
          }));
        }
      }
      for (Future<?> f : done) {
        f.get();
      }
      return writes / Math.max(0.001, Duration.between(start, Instant.now()).toMillis() / 1000.0);
    } finally {
      dynamo.deleteTable(b -> b.tableName(table));
    }
  }
}
