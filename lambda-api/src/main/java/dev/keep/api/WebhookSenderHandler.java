package dev.keep.api;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.keep.api.webhooks.DeliverySender;
import dev.keep.api.webhooks.LambdaEvents;
import dev.keep.schema.encoding.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The Lambda on the delivery queue: one attempt per message ({@link DeliverySender}), the batch's
 * messages at once on virtual threads (each may wait up to 15 s for its receiver). Messages that
 * failed are answered as {@code batchItemFailures}; SQS makes them visible again after the
 * visibility timeout, and after the queue's {@code maxReceiveCount} moves them to its DLQ.
 */
public final class WebhookSenderHandler implements RequestStreamHandler {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookSenderHandler.class);
  private final DeliverySender sender;

  public WebhookSenderHandler() {
    this(ApiHandler.sender(
        DynamoDbClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build(),
        SqsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build(),
        KmsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build(),
        ApiConfig.fromEnvironment(System.getenv()), DeliverySender.Settings.STANDARD, Clock.systemUTC()));
  }

  public WebhookSenderHandler(DeliverySender sender) {
    this.sender = sender;
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
    List<LambdaEvents.SqsRecord> records = LambdaEvents.sqsRecords(Json.MAPPER.readTree(input));
    List<String> failed = new ArrayList<>();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> results = new ArrayList<>();
      for (LambdaEvents.SqsRecord record : records) {
        results.add(threads.submit(() -> sender.process(record.body())));
      }
      for (int i = 0; i < records.size(); i++) {
        try {
          results.get(i).get();
        } catch (ExecutionException e) {
          LOG.warn("delivery message {} failed and will come back: {}", records.get(i).messageId(), e.getCause().toString());
          failed.add(records.get(i).messageId());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failed.add(records.get(i).messageId());
        }
      }
    }
    output.write(LambdaEvents.batchItemFailures(failed).getBytes(StandardCharsets.UTF_8));
  }
}
