package dev.keep.api;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.keep.api.audit.AuditApi;
import dev.keep.api.auth.RateLimiter;
import dev.keep.api.auth.TenantAuthenticator;
import dev.keep.api.batches.BatchesApi;
import dev.keep.api.http.ProblemException;
import dev.keep.api.http.ProblemType;
import dev.keep.api.idempotency.IdempotencyStore;
import dev.keep.api.http.HttpApiEvent;
import dev.keep.api.http.HttpApiResponse;
import dev.keep.api.jobs.JobQueue;
import dev.keep.api.jobs.JobRepository;
import dev.keep.api.jobs.JobsApi;
import dev.keep.api.webhooks.DeliveryQueue;
import dev.keep.api.webhooks.DeliverySender;
import dev.keep.api.webhooks.EndpointRules;
import dev.keep.api.webhooks.EventDispatcher;
import dev.keep.api.webhooks.SecretBox;
import dev.keep.api.webhooks.WebhookStore;
import dev.keep.api.webhooks.WebhooksApi;
import dev.keep.schema.encoding.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The Lambda entry point for the HTTP API: reads the API Gateway v2 event JSON, answers with a v2
 * response JSON. The local stack calls this same method behind its HTTP adapter.
 */
public final class ApiHandler implements RequestStreamHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
  private final KeepApi api;

  /** For the Lambda runtime: clients from the standard SDK configuration (region, endpoint URL). */
  public ApiHandler() {
    this(fromEnvironment());
  }

  public ApiHandler(KeepApi api) {
    this.api = api;
  }

  private static KeepApi fromEnvironment() {
    ApiConfig config = ApiConfig.fromEnvironment(System.getenv());
    DynamoDbClient dynamo = DynamoDbClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    SqsClient sqs = SqsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    KmsClient kms = KmsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    return assemble(dynamo, sqs, kms, config, Clock.systemUTC(), JobsApi.DEFAULT_DRY_RUN_WAIT);
  }

  /** The API on these clients and tables: what the Lambda runs, and what the local stack and the tests run. */
  public static KeepApi assemble(DynamoDbClient dynamo, SqsClient sqs, KmsClient kms, ApiConfig config, Clock clock,
      Duration dryRunWait) {
    JobsApi jobs = jobsApi(dynamo, sqs, config, clock, dryRunWait);
    WebhookParts parts = WebhookParts.of(dynamo, sqs, kms, config.webhooks(), clock);
    WebhooksApi webhooks = new WebhooksApi(dynamo, parts.store(), parts.secrets(), parts.rules(), parts.queue(),
        jobs.idempotency(), jobs.repository(), clock);
    ApiConfig.Audit audit = config.audit();
    return new KeepApi(new TenantAuthenticator(dynamo, config.tenantsTable()), new RateLimiter(), jobs,
        new BatchesApi(dynamo, config.batchesTable(), jobs), webhooks,
        new AuditApi(dynamo, new AuditApi.Tables(audit.auditTable(), audit.receiptsTable(), audit.checkpointsTable(),
            audit.attestationsTable()), audit.exportSliceLines()));
  }

  static JobsApi jobsApi(DynamoDbClient dynamo, SqsClient sqs, ApiConfig config, Clock clock, Duration dryRunWait) {
    return new JobsApi(dynamo, new JobRepository(dynamo, config.jobsTable(), config.keysTable()),
        new IdempotencyStore(dynamo, config.idempotencyTable()), new JobQueue(sqs, config.queueUrl()), clock, dryRunWait);
  }

  /** The webhook dispatcher on these clients: the stream Lambda's, and the local stack's. */
  public static EventDispatcher dispatcher(DynamoDbClient dynamo, SqsClient sqs, KmsClient kms, ApiConfig config,
      Clock clock) {
    WebhookParts parts = WebhookParts.of(dynamo, sqs, kms, config.webhooks(), clock);
    JobsApi jobs = jobsApi(dynamo, sqs, config, clock, JobsApi.DEFAULT_DRY_RUN_WAIT);
    return new EventDispatcher(parts.store(), parts.queue(), new BatchesApi(dynamo, config.batchesTable(), jobs), clock);
  }

  /** The webhook sender on these clients: the delivery queue Lambda's, and the local stack's. */
  public static DeliverySender sender(DynamoDbClient dynamo, SqsClient sqs, KmsClient kms, ApiConfig config,
      DeliverySender.Settings settings, Clock clock) {
    WebhookParts parts = WebhookParts.of(dynamo, sqs, kms, config.webhooks(), clock);
    return new DeliverySender(parts.store(), parts.queue(), parts.secrets(), parts.rules(), settings, clock);
  }

  private record WebhookParts(WebhookStore store, DeliveryQueue queue, SecretBox secrets, EndpointRules rules) {
    static WebhookParts of(DynamoDbClient dynamo, SqsClient sqs, KmsClient kms, ApiConfig.Webhooks config, Clock clock) {
      return new WebhookParts(new WebhookStore(dynamo, config.webhooksTable(), config.deliveriesTable()),
          new DeliveryQueue(sqs, config.deliveryQueueUrl()), new SecretBox(kms, config.kmsKeyId(), clock),
          new EndpointRules(config.mode(), EndpointRules.Resolver.SYSTEM));
    }
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
    HttpApiResponse response;
    try {
      HttpApiEvent event = Json.MAPPER.readerFor(HttpApiEvent.class)
          .without(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .readValue(input);
      response = handle(event);
    } catch (IOException e) {
      // The event envelope itself is broken: API Gateway never sends that, so it is a bug upstream.
      response = HttpApiResponse.problem(new ProblemException(ProblemType.MALFORMED, "unreadable API Gateway event")
          .problem(null), java.util.Map.of());
    }
    Json.MAPPER.writeValue(output, response);
  }

  public HttpApiResponse handle(HttpApiEvent event) {
    try {
      return api.handle(event);
    } catch (RuntimeException e) {
      LOG.error("request {} {} failed: {}", event.method(), event.path(), e.toString());
      return HttpApiResponse.problem(new ProblemException(ProblemType.INTERNAL, "internal error; retry later")
          .problem(event.requestContext() == null ? null : event.requestContext().requestId()), java.util.Map.of());
    }
  }
}
