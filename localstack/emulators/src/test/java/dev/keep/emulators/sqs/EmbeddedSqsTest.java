package dev.keep.emulators.sqs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.emulators.LocalAws;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

class EmbeddedSqsTest {
  private static final Duration DEADLINE = Duration.ofSeconds(15);

  private static EmbeddedSqs sqs;
  private static SqsClient client;
  private static final List<String> contentTypes = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    sqs = EmbeddedSqs.start(0);
    client = LocalAws.sqs(sqs.endpoint(), new ContentTypeRecorder());
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
    assertThrows(
        QueueDoesNotExistException.class, () -> client.getQueueUrl(b -> b.queueName("nope")));
  }

  @Test
  void messageReceivedTooOftenMovesToTheDeadLetterQueue() {
    String dlqUrl = client.createQueue(b -> b.queueName("work-dlq")).queueUrl();
    String dlqArn =
        client
            .getQueueAttributes(
                b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
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
                                QueueAttributeName.REDRIVE_POLICY,
                                redrive,
                                // Visible again at once, so the second receive comes straight away.
                                QueueAttributeName.VISIBILITY_TIMEOUT,
                                "0")))
            .queueUrl();
    client.sendMessage(b -> b.queueUrl(url).messageBody("poison"));

    List<Message> first = client.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(1)).messages();
    assertEquals(1, first.size());

    Message dead = awaitMessage(dlqUrl, url);
    assertEquals("poison", dead.body());
    String stored =
        client
            .getQueueAttributes(
                b -> b.queueUrl(url).attributeNames(QueueAttributeName.REDRIVE_POLICY))
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

  @Test
  void closeDoesNotWaitForLongPolls() throws Exception {
    EmbeddedSqs other = EmbeddedSqs.start(0);
    CountDownLatch sending = new CountDownLatch(1);
    ExecutionInterceptor onSend =
        new ExecutionInterceptor() {
          @Override
          public void beforeTransmission(
              Context.BeforeTransmission context, ExecutionAttributes attributes) {
            if (context.request() instanceof ReceiveMessageRequest) {
              sending.countDown();
            }
          }
        };
    try (SqsClient otherClient = LocalAws.sqs(other.endpoint(), onSend);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      String url = otherClient.createQueue(b -> b.queueName("idle")).queueUrl();
      Future<?> poll =
          executor.submit(
              () -> otherClient.receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(20)));
      assertTrue(sending.await(5, TimeUnit.SECONDS));

      Instant before = Instant.now();
      other.close();
      Duration took = Duration.between(before, Instant.now());

      assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, took.toString());
      // The poll ends with the server (empty or failed), not after its 20 seconds.
      try {
        poll.get(10, TimeUnit.SECONDS);
      } catch (ExecutionException cutOff) {
        // An error for a caller whose server went away is expected.
      }
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

  /**
   * Waits until the server holds an open request: ElasticMQ reports in-flight long polls nowhere,
   * so this just checks the server is reachable, which happens-before its accept of the poll.
   */
  private static void awaitQueueBusy(EmbeddedSqs server) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", server.endpoint().getPort()), 1000);
    }
  }

  private static final class ContentTypeRecorder implements ExecutionInterceptor {
    @Override
    public void beforeTransmission(
        Context.BeforeTransmission context, ExecutionAttributes attributes) {
      context.httpRequest().firstMatchingHeader("Content-Type").ifPresent(contentTypes::add);
    }
  }
}
