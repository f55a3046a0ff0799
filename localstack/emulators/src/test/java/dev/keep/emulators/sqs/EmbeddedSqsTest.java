package dev.keep.emulators.sqs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

class EmbeddedSqsTest {
  private static final Duration DEADLINE = Duration.ofSeconds(15);

  private static EmbeddedSqs sqs;
  private static SqsClient client;
  private static final List<String> contentTypes = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    sqs = EmbeddedSqs.start(0);
    client =
        SqsClient.builder()
            .endpointOverride(sqs.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(c -> c.addExecutionInterceptor(new ContentTypeRecorder()))
            .build();
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (sqs != null) {
      sqs.close();
    }
  }

  @Test
  void bindsLoopbackOnAChosenPort() {
    assertEquals("127.0.0.1", sqs.endpoint().getHost());
    assertTrue(sqs.endpoint().getPort() > 0);
  }

  @Test
  void speaksTheJsonProtocolTheSdkUses() {
    String url = client.createQueue(b -> b.queueName("protocol-check")).queueUrl();
    client.sendMessage(b -> b.queueUrl(url).messageBody("hello"));

    List<Message> received =
        client.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(1)).messages();

    assertEquals(List.of("hello"), received.stream().map(Message::body).toList());
    assertTrue(url.startsWith(sqs.endpoint().toString() + "/"), url);
    // SDK 2.57 sends SQS requests as AWS JSON 1.0, not the query protocol; had ElasticMQ not
    // understood them, the calls above would have failed.
    assertTrue(
        contentTypes.stream().anyMatch(t -> t.startsWith("application/x-amz-json-1.0")),
        contentTypes.toString());
  }

  @Test
  void unknownQueueIsATypedError() {
    assertThrows(QueueDoesNotExistException.class, () -> client.getQueueUrl(b -> b.queueName("nope")));
  }

  @Test
  void messageReceivedTooOftenMovesToTheDeadLetterQueue() {
    String dlqUrl = client.createQueue(b -> b.queueName("work-dlq")).queueUrl();
    String dlqArn =
        client
            .getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
            .attributes()
            .get(QueueAttributeName.QUEUE_ARN);
    assertEquals("arn:aws:sqs:us-east-1:000000000000:work-dlq", dlqArn);
    String redrive = "{\"maxReceiveCount\":\"1\",\"deadLetterTargetArn\":\"" + dlqArn + "\"}";
    String url =
        client
            .createQueue(
                b ->
                    b.queueName("work")
                        .attributes(
                            Map.of(
                                QueueAttributeName.REDRIVE_POLICY, redrive,
                                // Visible again at once, so the second receive comes straight away.
                                QueueAttributeName.VISIBILITY_TIMEOUT, "0")))
            .queueUrl();
    client.sendMessage(b -> b.queueUrl(url).messageBody("poison"));

    List<Message> first = client.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(1)).messages();
    assertEquals(1, first.size());

    Message dead = awaitMessage(dlqUrl, url);
    assertEquals("poison", dead.body());
    String stored =
        client
            .getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.REDRIVE_POLICY))
            .attributes()
            .get(QueueAttributeName.REDRIVE_POLICY);
    // ElasticMQ, like SQS, hands the policy back with maxReceiveCount as a number.
    assertTrue(stored.contains("\"deadLetterTargetArn\":\"" + dlqArn + "\""), stored);
    assertTrue(stored.contains("\"maxReceiveCount\":1"), stored);
  }

  @Test
  void portInUseFailsToStart() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> EmbeddedSqs.start(taken.getLocalPort()));
      assertTrue(e.getMessage().contains("start"), e.getMessage());
      // start(0) retries on exactly this cause, so it must be reachable in the chain.
      Throwable cause = e;
      while (cause.getCause() != null) {
        cause = cause.getCause();
      }
      assertTrue(cause instanceof BindException, cause.toString());
    }
  }

  @Test
  void closedServerRefusesConnections() throws IOException {
    EmbeddedSqs other = EmbeddedSqs.start(0);
    int port = other.endpoint().getPort();
    Instant before = Instant.now();
    other.close();
    other.close(); // idempotent
    assertTrue(Duration.between(before, Instant.now()).compareTo(Duration.ofSeconds(5)) < 0);
    try (Socket socket = new Socket()) {
      assertThrows(
          IOException.class, () -> socket.connect(new InetSocketAddress("127.0.0.1", port), 1000));
    }
  }

  /** Polls the source queue (each receive counts) until the message shows up in the DLQ. */
  private static Message awaitMessage(String dlqUrl, String sourceUrl) {
    Instant deadline = Instant.now().plus(DEADLINE);
    while (Instant.now().isBefore(deadline)) {
      client.receiveMessage(b -> b.queueUrl(sourceUrl).waitTimeSeconds(0));
      List<Message> dead =
          client.receiveMessage(b -> b.queueUrl(dlqUrl).waitTimeSeconds(1)).messages();
      if (!dead.isEmpty()) {
        return dead.getFirst();
      }
    }
    throw new AssertionError("message did not reach the DLQ within " + DEADLINE);
  }

  private static final class ContentTypeRecorder implements ExecutionInterceptor {
    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
      context.httpRequest().firstMatchingHeader("Content-Type").ifPresent(contentTypes::add);
    }
  }
}
