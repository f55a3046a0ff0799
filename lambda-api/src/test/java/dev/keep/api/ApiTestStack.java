package dev.keep.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keep.api.auth.TenantAuthenticator;
import dev.keep.emulators.dynamodb.SharedMotoServer;
import dev.keep.emulators.dynamodb.TableCreator;
import dev.keep.api.webhooks.EndpointRules;
import dev.keep.emulators.kms.KmsEndpoint;
import dev.keep.emulators.sqs.EmbeddedSqs;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.tables.Tables;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * What the API tests share: ElasticMQ in process, the JVM's moto server with this class's own
 * tables, SDK clients on both, a queue, and the Lambda entry point called with v2 events built from
 * the {@code post-job.json} fixture. Every answer is checked against the OpenAPI document.
 */
final class ApiTestStack implements AutoCloseable {
  final String prefix;
  final EmbeddedSqs sqsServer;
  final DynamoDbClient dynamo;
  final SqsClient sqs;
  final String queueUrl;
  final String deliveryQueueUrl;
  final KmsEndpoint kmsServer;
  final KmsClient kms;
  final String webhookKey;
  /** Small in tests, so that an export of a few lines comes in several slices. */
  int exportSliceLines = ApiConfig.Audit.DEFAULT_EXPORT_SLICE_LINES;

  ApiTestStack(String testClass) {
    prefix = SharedMotoServer.tablePrefix(testClass);
    sqsServer = EmbeddedSqs.start(0);
    var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
    dynamo = DynamoDbClient.builder().endpointOverride(SharedMotoServer.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    sqs = SqsClient.builder().endpointOverride(sqsServer.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    TableCreator.createAll(dynamo, Tables.withPrefix(prefix));
    queueUrl = sqs.createQueue(b -> b.queueName(testClass.toLowerCase(java.util.Locale.ROOT))).queueUrl();
    deliveryQueueUrl = sqs.createQueue(b -> b.queueName(testClass.toLowerCase(java.util.Locale.ROOT) + "-deliveries"))
        .queueUrl();
    // Keep's own KMS endpoint, with its default key policy: Encrypt and Decrypt for the caller.
    kmsServer = KmsEndpoint.start(0);
    kms = KmsClient.builder().endpointOverride(kmsServer.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    webhookKey = kms.createKey(b -> b.description("webhook secrets")).keyMetadata().arn();
  }

  ApiConfig config() {
    return config(EndpointRules.Mode.LOCAL);
  }

  ApiConfig config(EndpointRules.Mode mode) {
    return new ApiConfig(prefix + Tables.JOBS.name(), prefix + Tables.KEYS.name(), prefix + Tables.TENANTS.name(),
        prefix + Tables.BATCHES.name(), prefix + Tables.IDEMPOTENCY.name(), queueUrl,
        new ApiConfig.Webhooks(prefix + Tables.WEBHOOKS.name(), prefix + Tables.DELIVERIES.name(), deliveryQueueUrl,
            webhookKey, mode), ApiConfig.Audit.withPrefix(prefix).withExportSliceLines(exportSliceLines));
  }

  ApiHandler handler(Clock clock, Duration dryRunWait) {
    return new ApiHandler(ApiHandler.assemble(dynamo, sqs, kms, config(), clock, dryRunWait));
  }

  void tenant(String id, String apiKey) {
    dynamo.putItem(b -> b.tableName(prefix + Tables.TENANTS.name()).item(Map.of(
        "apiKeyHash", AttributeValue.fromS(TenantAuthenticator.hash(apiKey)), "tenantId", AttributeValue.fromS(id))));
  }

  void key(String keyId, String tenant) {
    dynamo.putItem(b -> b.tableName(prefix + Tables.KEYS.name()).item(Map.of(
        "keyId", AttributeValue.fromS(keyId), "tenantId", AttributeValue.fromS(tenant),
        "publicKey", AttributeValue.fromS("00".repeat(32)))));
  }

  /** An API Gateway v2 event for {@code method path?query}, from the POST fixture; {@code body} null for none. */
  static ObjectNode event(String method, String path, String query, String apiKey, Map<String, String> headers,
      String body) throws IOException {
    String fixture;
    try (InputStream in = ApiTestStack.class.getResourceAsStream("/events/post-job.json")) {
      fixture = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    ObjectNode event = (ObjectNode) Json.MAPPER.readTree(fixture.replace("API_KEY", apiKey));
    event.put("rawPath", path).put("rawQueryString", query);
    ((ObjectNode) event.get("requestContext").get("http")).put("method", method).put("path", path);
    ObjectNode h = (ObjectNode) event.get("headers");
    headers.forEach(h::put);
    if (body == null) {
      event.remove("body");
    } else {
      event.put("body", body);
    }
    return event;
  }

  /** The handler's v2 response to {@code event}, checked against the OpenAPI document. */
  static JsonNode invoke(ApiHandler handler, JsonNode event) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    handler.handleRequest(new ByteArrayInputStream(Json.MAPPER.writeValueAsBytes(event)), out, null);
    JsonNode response = Json.MAPPER.readTree(out.toByteArray());
    Conformance.check(event.path("requestContext").path("http").path("method").asText(), event.path("rawPath").asText(),
        response);
    return response;
  }

  @Override
  public void close() {
    kms.close();
    kmsServer.close();
    sqs.close();
    dynamo.close();
    sqsServer.close();
  }
}
