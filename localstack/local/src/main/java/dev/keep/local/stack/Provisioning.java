package dev.keep.local.stack;

import dev.keep.api.auth.Tenant;
import dev.keep.api.auth.TenantAuthenticator;
import dev.keep.schema.tables.TenantAttributes;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** Creates queues and records tenants and keys, as the SAM template and operators do in AWS. */
public final class Provisioning {
  private Provisioning() {}

  /** The signing queue and its dead-letter queue. */
  public record Queues(String queueUrl, String deadLetterQueueUrl) {}

  /**
   * Creates {@code name} and {@code name-dlq}, with a redrive policy that moves a message to the
   * dead-letter queue after {@code maxReceiveCount} deliveries.
   */
  public static Queues createQueues(SqsClient sqs, String name, int visibilitySeconds, int maxReceiveCount) {
    String dlqUrl = sqs.createQueue(b -> b.queueName(name + "-dlq")
        .attributes(Map.of(QueueAttributeName.MESSAGE_RETENTION_PERIOD, "1209600"))).queueUrl();
    String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
        .attributes().get(QueueAttributeName.QUEUE_ARN);
    String redrive = "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}";
    String queueUrl = sqs.createQueue(b -> b.queueName(name).attributes(Map.of(
        QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(visibilitySeconds),
        QueueAttributeName.REDRIVE_POLICY, redrive))).queueUrl();
    return new Queues(queueUrl, dlqUrl);
  }

  /** Stores a tenant's submitter API key, hashed; the key itself is never written anywhere. */
  public static void createTenant(DynamoDbClient dynamo, String tenantsTable, String tenantId, String apiKey) {
    createApiKey(dynamo, tenantsTable, tenantId, apiKey, Tenant.Role.SUBMITTER, LOCAL_RATE_PER_SECOND);
  }

  /**
   * Stores an API key of {@code tenantId} with {@code role}, hashed, unless that key is stored
   * already (for any tenant): a key names one tenant and one role, never two.
   *
   * @param ratePerSecond the key's request rate; its burst is twice that
   * @throws IllegalStateException when the key is taken
   */
  public static void createApiKey(DynamoDbClient dynamo, String tenantsTable, String tenantId, String apiKey,
      Tenant.Role role, int ratePerSecond) {
    try {
      dynamo.putItem(b -> b.tableName(tenantsTable).item(Map.of(
              TenantAttributes.API_KEY_HASH, AttributeValue.fromS(TenantAuthenticator.hash(apiKey)),
              TenantAttributes.TENANT_ID, AttributeValue.fromS(tenantId),
              TenantAttributes.NAME, AttributeValue.fromS(tenantId),
              TenantAttributes.ROLE, AttributeValue.fromS(role.wireName()),
              TenantAttributes.CREATED_AT, AttributeValue.fromS(Instant.now().toString()),
              // The local stack's tenants are load generators (the demo reads back 5,000 jobs as fast
              // as it can): a rate well above the default, so their figures measure the pipeline.
              TenantAttributes.RATE_PER_SECOND, AttributeValue.fromN(Integer.toString(ratePerSecond)),
              TenantAttributes.RATE_BURST, AttributeValue.fromN(Integer.toString(2 * ratePerSecond))))
          .conditionExpression("attribute_not_exists(#h)")
          .expressionAttributeNames(Map.of("#h", TenantAttributes.API_KEY_HASH)));
    } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException e) {
      throw new IllegalStateException("that API key is stored already; make another", e);
    }
  }

  /** Requests a second a local tenant may make; a deployed tenant's default is {@code Tenant}'s. */
  public static final int LOCAL_RATE_PER_SECOND = 5_000;

  /** Records that {@code keyId} belongs to {@code tenantId}; refuses to take over another's key. */
  public static void registerKey(DynamoDbClient dynamo, String keysTable, String keyId, String tenantId, String publicKey) {
    dynamo.putItem(b -> b.tableName(keysTable)
        .item(Map.of(
            TenantAttributes.KEY_ID, AttributeValue.fromS(keyId),
            TenantAttributes.TENANT_ID, AttributeValue.fromS(tenantId),
            TenantAttributes.PUBLIC_KEY, AttributeValue.fromS(publicKey),
            TenantAttributes.KEY_TYPE, AttributeValue.fromS("secp256k1"),
            TenantAttributes.CREATED_AT, AttributeValue.fromS(Instant.now().toString())))
        .conditionExpression("attribute_not_exists(keyId)"));
  }
}
