package dev.keep.worker.sealing;

import dev.keep.schema.encoding.Json;
import dev.keep.schema.protocol.SealedBlob;
import dev.keep.schema.tables.TenantAttributes;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Sealed blobs in the DynamoDB {@code keys} table (ARCHITECTURE.md, "Keys and sealing"), one item
 * per key: its owner and public key (which the API reads), {@code sealedKey}, and the newest
 * {@code sealedState} with its {@code stateSequence}. Conditional writes keep a key from being
 * replaced by another and a state from being replaced by an older one, whatever order concurrent
 * workers write in.
 */
public final class DynamoDbSealedKeys implements SealedKeyStore {
  public static final String SEALED_KEY = "sealedKey";
  public static final String SEALED_STATE = "sealedState";
  public static final String STATE_SEQUENCE = "stateSequence";

  private final DynamoDbClient dynamo;
  private final String table;

  public DynamoDbSealedKeys(DynamoDbClient dynamo, String table) {
    this.dynamo = dynamo;
    this.table = table;
  }

  @Override
  public void createKey(SealedBlob key, String publicKey) throws SealedStoreException {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put(TenantAttributes.KEY_ID, AttributeValue.fromS(key.keyId()));
    item.put(TenantAttributes.TENANT_ID, AttributeValue.fromS(key.tenant()));
    item.put(TenantAttributes.PUBLIC_KEY, AttributeValue.fromS(publicKey));
    item.put(TenantAttributes.KEY_TYPE, AttributeValue.fromS("secp256k1"));
    item.put(TenantAttributes.CREATED_AT, AttributeValue.fromS(Instant.now().toString()));
    item.put(SEALED_KEY, AttributeValue.fromS(Json.write(key)));
    try {
      dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(keyId)"));
    } catch (ConditionalCheckFailedException e) {
      throw new SealedStoreException("keyId: '" + key.keyId() + "' is already in table " + table, true, e);
    } catch (SdkException e) {
      throw new SealedStoreException("storing sealed key '" + key.keyId() + "' in " + table + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void updateKey(SealedBlob key) throws SealedStoreException {
    try {
      dynamo.updateItem(b -> b.tableName(table)
          .key(Map.of(TenantAttributes.KEY_ID, AttributeValue.fromS(key.keyId())))
          .updateExpression("SET #k = :k")
          .conditionExpression("attribute_exists(keyId)")
          .expressionAttributeNames(Map.of("#k", SEALED_KEY))
          .expressionAttributeValues(Map.of(":k", AttributeValue.fromS(Json.write(key)))));
    } catch (ConditionalCheckFailedException e) {
      throw new SealedStoreException("keyId: '" + key.keyId() + "' is not in table " + table
          + "; a key is recorded when it is made", e);
    } catch (SdkException e) {
      throw new SealedStoreException("updating sealed key '" + key.keyId() + "' in " + table + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void putState(SealedBlob state) throws SealedStoreException {
    try {
      dynamo.updateItem(b -> b.tableName(table)
          .key(Map.of(TenantAttributes.KEY_ID, AttributeValue.fromS(state.keyId())))
          .updateExpression("SET #s = :s, #n = :n")
          .conditionExpression("attribute_exists(keyId) AND (attribute_not_exists(#n) OR #n < :n)")
          .expressionAttributeNames(Map.of("#s", SEALED_STATE, "#n", STATE_SEQUENCE))
          .expressionAttributeValues(Map.of(
              ":s", AttributeValue.fromS(Json.write(state)),
              ":n", AttributeValue.fromN(Long.toString(state.sequence())))));
    } catch (ConditionalCheckFailedException e) {
      // A newer state is stored already (a concurrent worker wrote it first): keep that one.
    } catch (SdkException e) {
      throw new SealedStoreException("storing the policy state of '" + state.keyId() + "' in " + table + ": "
          + e.getMessage(), e);
    }
  }

  @Override
  public java.util.Optional<SealedBlob> state(String keyId) throws SealedStoreException {
    try {
      Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
          .key(Map.of(TenantAttributes.KEY_ID, AttributeValue.fromS(keyId))).consistentRead(true)
          .projectionExpression("#s").expressionAttributeNames(Map.of("#s", SEALED_STATE))).item();
      return item == null || !item.containsKey(SEALED_STATE)
          ? java.util.Optional.empty()
          : java.util.Optional.of(read(item.get(SEALED_STATE).s(), "sealedState"));
    } catch (SdkException e) {
      throw new SealedStoreException("reading the state of '" + keyId + "' from " + table + ": " + e.getMessage(), e);
    }
  }

  @Override
  public boolean replaceState(SealedBlob next, SealedBlob base) throws SealedStoreException {
    try {
      dynamo.updateItem(b -> b.tableName(table)
          .key(Map.of(TenantAttributes.KEY_ID, AttributeValue.fromS(next.keyId())))
          .updateExpression("SET #s = :s, #n = :n")
          .conditionExpression(base == null ? "attribute_exists(keyId) AND attribute_not_exists(#n)"
              : "attribute_exists(keyId) AND #n = :base")
          .expressionAttributeNames(Map.of("#s", SEALED_STATE, "#n", STATE_SEQUENCE))
          .expressionAttributeValues(base == null
              ? Map.of(":s", AttributeValue.fromS(Json.write(next)), ":n", AttributeValue.fromN(Long.toString(next.sequence())))
              : Map.of(":s", AttributeValue.fromS(Json.write(next)), ":n", AttributeValue.fromN(Long.toString(next.sequence())),
                  ":base", AttributeValue.fromN(Long.toString(base.sequence())))));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    } catch (SdkException e) {
      throw new SealedStoreException("storing the policy state of '" + next.keyId() + "' in " + table + ": "
          + e.getMessage(), e);
    }
  }

  @Override
  public List<Stored> all() throws SealedStoreException {
    List<Stored> stored = new ArrayList<>();
    try {
      for (Map<String, AttributeValue> item : dynamo.scanPaginator(b -> b.tableName(table)
          .projectionExpression("#id, #k, #s")
          .expressionAttributeNames(Map.of("#id", TenantAttributes.KEY_ID, "#k", SEALED_KEY, "#s", SEALED_STATE)))
          .items()) {
        if (!item.containsKey(SEALED_KEY)) {
          continue; // registered without a sealed key: nothing to unseal
        }
        stored.add(new Stored(item.get(TenantAttributes.KEY_ID).s(), read(item.get(SEALED_KEY).s(), "sealedKey"),
            item.containsKey(SEALED_STATE) ? read(item.get(SEALED_STATE).s(), "sealedState") : null));
      }
    } catch (SdkException e) {
      throw new SealedStoreException("reading sealed keys from " + table + ": " + e.getMessage(), e);
    }
    stored.sort(Comparator.comparing(Stored::keyId));
    return stored;
  }

  static SealedBlob read(String json, String field) throws SealedStoreException {
    try {
      return Json.MAPPER.readValue(json, SealedBlob.class);
    } catch (IOException | RuntimeException e) {
      throw new SealedStoreException(field + ": not a sealed blob (" + e.getMessage() + ")", e);
    }
  }

  @Override
  public String describe() {
    return "DynamoDB table " + table;
  }
}
