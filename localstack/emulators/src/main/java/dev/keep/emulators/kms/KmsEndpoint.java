package dev.keep.emulators.kms;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keep's local KMS: the real AWS KMS JSON 1.1 wire protocol over plain HTTP on 127.0.0.1, so the
 * unmodified SDK {@code KmsClient} talks to it through an endpoint override.
 *
 * <p>Keys exist in memory only and vanish on {@link #close()}. Implemented: CreateKey, CreateAlias,
 * Encrypt, Decrypt, GenerateDataKey, GenerateRandom. Requests are not signature checked, and key
 * policies are stored but not evaluated.
 */
public final class KmsEndpoint implements AutoCloseable {
  /**
   * Region and account in key and alias ARNs, unless given to {@link #start(int, String, String)}.
   */
  public static final String DEFAULT_REGION = "us-east-1";

  public static final String DEFAULT_ACCOUNT_ID = "000000000000";

  private static final Logger LOG = LoggerFactory.getLogger(KmsEndpoint.class);
  private static final Pattern REGION = Pattern.compile("[a-z0-9-]+");
  private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");

  private final HttpServer server;
  private final ExecutorService executor;
  private final URI endpoint;
  private volatile boolean closed;

  private KmsEndpoint(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
    this.endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /**
   * Starts on {@code port}, or on a free port when it is 0, with the default region and account.
   */
  public static KmsEndpoint start(int port) {
    return start(port, DEFAULT_REGION, DEFAULT_ACCOUNT_ID);
  }

  /** Starts with key ARNs in {@code region} and {@code accountId}, e.g. to match a client's. */
  public static KmsEndpoint start(int port, String region, String accountId) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port: must be 0..65535, got " + port);
    }
    if (region == null || !REGION.matcher(region).matches()) {
      throw new IllegalArgumentException("region: must match " + REGION);
    }
    if (accountId == null || !ACCOUNT.matcher(accountId).matches()) {
      throw new IllegalArgumentException("accountId: must be 12 digits");
    }
    KeyRegistry keys = new KeyRegistry(region, accountId, Clock.systemUTC(), new SecureRandom());
    HttpServer server;
    try {
      server =
          HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("KMS endpoint could not bind 127.0.0.1:" + port, e);
    }
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(executor);
    server.createContext("/", new KmsHttpHandler(KmsOperations.table(keys)));
    server.start();
    KmsEndpoint kms = new KmsEndpoint(server, executor);
    LOG.info("KMS listening on {}", kms.endpoint);
    return kms;
  }

  /** The base URI to give an SDK client as its endpoint override. */
  public URI endpoint() {
    return endpoint;
  }

  /** Stops at once; in-flight requests are cut off, and every key is forgotten. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.stop(0);
    executor.shutdownNow();
  }
}
