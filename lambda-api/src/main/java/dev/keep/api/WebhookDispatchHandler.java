package dev.keep.api;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.keep.api.webhooks.EventDispatcher;
import dev.keep.api.webhooks.LambdaEvents;
import dev.keep.api.webhooks.StreamChange;
import dev.keep.schema.encoding.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The Lambda on the jobs table's stream: each batch of stream records becomes deliveries on the
 * delivery queue ({@link EventDispatcher}). When a batch fails, it answers the first record as the
 * failed item, so Lambda reads the batch again from there; dispatching is idempotent.
 */
public final class WebhookDispatchHandler implements RequestStreamHandler {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatchHandler.class);
  private final EventDispatcher dispatcher;

  public WebhookDispatchHandler() {
    this(ApiHandler.dispatcher(
        DynamoDbClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build(),
        SqsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build(),
        KmsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build(),
        ApiConfig.fromEnvironment(System.getenv()), Clock.systemUTC()));
  }

  public WebhookDispatchHandler(EventDispatcher dispatcher) {
    this.dispatcher = dispatcher;
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
    List<StreamChange> changes = LambdaEvents.streamRecords(Json.MAPPER.readTree(input));
    String answer;
    try {
      dispatcher.dispatch(changes);
      answer = LambdaEvents.batchItemFailures(List.of());
    } catch (RuntimeException e) {
      LOG.error("dispatching {} stream records failed; they will be read again: {}", changes.size(), e.toString());
      answer = LambdaEvents.batchItemFailures(changes.isEmpty() ? List.of() : List.of(changes.getFirst().sequenceNumber()));
    }
    output.write(answer.getBytes(StandardCharsets.UTF_8));
  }
}
