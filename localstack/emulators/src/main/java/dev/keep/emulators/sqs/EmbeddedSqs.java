package dev.keep.emulators.sqs;

import com.typesafe.config.Config;
import dev.keep.emulators.FreePort;
import com.typesafe.config.ConfigFactory;
import java.net.BindException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.scaladsl.Http;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.Future;
import scala.concurrent.duration.FiniteDuration;
import scala.jdk.javaapi.FutureConverters;

/**
 * ElasticMQ's SQS REST server, in-process, on 127.0.0.1 only.
 *
 * <p>ElasticMQ answers both SQS wire protocols: the AWS JSON 1.0 protocol that SDK v2 uses today
 * and the older query/XML one. Queue URLs it hands out name 127.0.0.1 and the bound port, so they
 * work even when the port was chosen by the OS.
 */
public final class EmbeddedSqs implements AutoCloseable {
  /** Region and account in queue ARNs; a RedrivePolicy's deadLetterTargetArn uses these. */
  public static final String REGION = "us-east-1";

  public static final String ACCOUNT_ID = "000000000000";

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSqs.class);
  private static final String HOST = "127.0.0.1";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  // In-flight long polls (up to 20 s) would otherwise hold close() for their full wait; a local
  // emulator going away may cut them short.
  private static final Duration REQUEST_GRACE = Duration.ofMillis(500);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final int BIND_ATTEMPTS = 5;

  private final ActorSystem actorSystem;
  private final Http.ServerBinding binding;
  private final URI endpoint;
  private volatile boolean closed;

  private EmbeddedSqs(ActorSystem actorSystem, Http.ServerBinding binding) {
    this.actorSystem = actorSystem;
    this.binding = binding;
    this.endpoint = URI.create("http://" + HOST + ":" + binding.localAddress().getPort());
  }

  /** Starts a server on {@code port}, or on a free port chosen by the OS when it is 0. */
  public static EmbeddedSqs start(int port) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port: must be 0..65535, got " + port);
    }
    if (port != 0) {
      return startOn(port);
    }
    // ElasticMQ fixes queue URLs to the configured port, and only patches in an OS-chosen port
    // from a callback that may run after start returns. Choosing the port first keeps every
    // queue URL right; a port taken by someone else in between is retried on another one.
    IllegalStateException last = null;
    for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
      try {
        return startOn(FreePort.find(HOST));
      } catch (IllegalStateException e) {
        if (!(rootCause(e) instanceof BindException)) {
          throw e;
        }
        last = e;
      }
    }
    throw last;
  }

  private static EmbeddedSqs startOn(int port) {
    // The actor system is ours rather than ElasticMQ's so close() can bound how long shutdown
    // takes, and so nothing registers a JVM shutdown hook behind the caller's back.
    ActorSystem system = ActorSystem.create("keep-sqs", actorConfig());
    try {
      SQSRestServer server =
          SQSRestServerBuilder.withActorSystem(system)
              .withInterface(HOST)
              .withPort(port)
              .withServerAddress(NodeAddress.apply("http", HOST, port, ""))
              .withAWSRegion(REGION)
              .withAWSAccountId(ACCOUNT_ID)
              .start();
      Http.ServerBinding binding = await(server.startFuture(), START_TIMEOUT, "start");
      EmbeddedSqs sqs = new EmbeddedSqs(system, binding);
      LOG.info("SQS (ElasticMQ) listening on {}", sqs.endpoint);
      return sqs;
    } catch (RuntimeException e) {
      await(system.terminate(), STOP_TIMEOUT, "actor system shutdown");
      throw e;
    }
  }

  private static Throwable rootCause(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** The base URI to give an SDK client as its endpoint override. */
  public URI endpoint() {
    return endpoint;
  }

  /** Stops accepting connections, ends in-flight requests, and stops the actor system. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      await(
          binding.terminate(FiniteDuration.create(REQUEST_GRACE.toMillis(), TimeUnit.MILLISECONDS)),
          STOP_TIMEOUT,
          "unbind");
    } finally {
      await(actorSystem.terminate(), STOP_TIMEOUT, "actor system shutdown");
    }
  }

  private static Config actorConfig() {
    return ConfigFactory.parseString(
            """
            pekko.loglevel = WARNING
            pekko.stdout-loglevel = OFF
            pekko.log-dead-letters = off
            pekko.log-dead-letters-during-shutdown = off
            pekko.jvm-shutdown-hooks = off
            pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
            pekko.coordinated-shutdown.default-phase-timeout = 2 s
            """)
        .withFallback(ConfigFactory.load(EmbeddedSqs.class.getClassLoader()));
  }

  private static <T> T await(Future<T> future, Duration timeout, String what) {
    CompletableFuture<T> f = FutureConverters.asJava(future).toCompletableFuture();
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for SQS " + what, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("SQS " + what + " failed", e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("SQS " + what + " took longer than " + timeout, e);
    }
  }
}
