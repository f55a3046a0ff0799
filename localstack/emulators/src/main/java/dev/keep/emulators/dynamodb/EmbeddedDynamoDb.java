package dev.keep.emulators.dynamodb;

import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBRequestHandler;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBServerHandler;
import java.net.URI;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DynamoDB Local 2.x, in-process and in memory, on 127.0.0.1 only.
 *
 * <p>DynamoDB Local's own launcher ({@code ServerRunner}/{@code DynamoDBProxyServer}) binds every
 * interface, cannot report an OS-chosen port, and is the only place telemetry is switched on. So
 * this class mounts DynamoDB Local's request handler on a Jetty server of its own instead: the
 * connector is loopback-only, port 0 works, and telemetry is never configured, whatever {@code
 * DDB_LOCAL_TELEMETRY} says.
 *
 * <p>The sqlite4java natives need nothing from the caller: DynamoDB Local 2.x carries them inside
 * its jar and copies the one for this OS and CPU to {@code java.io.tmpdir} (or {@code
 * org.sqlite.tmpdir}) on first use. The separate {@code libsqlite4java-*.so} Maven artifacts it
 * also depends on are not needed, and are not on a {@code -cp lib/*} classpath anyway.
 */
public final class EmbeddedDynamoDb implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDynamoDb.class);
  private static final String HOST = "127.0.0.1";

  private final Server server;
  private final LocalDynamoDBRequestHandler requests;
  private final LocalDynamoDBServerHandler handler;
  private final URI endpoint;
  private volatile boolean closed;

  private EmbeddedDynamoDb(
      Server server,
      LocalDynamoDBRequestHandler requests,
      LocalDynamoDBServerHandler handler,
      int port) {
    this.server = server;
    this.requests = requests;
    this.handler = handler;
    this.endpoint = URI.create("http://" + HOST + ":" + port);
  }

  /** Starts an empty in-memory database on {@code port}, or on a free port when it is 0. */
  public static EmbeddedDynamoDb start(int port) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port: must be 0..65535, got " + port);
    }
    LocalDynamoDBRequestHandler requests = newRequestHandler();
    // null: no CORS headers; nothing calls this from a browser.
    LocalDynamoDBServerHandler handler = new LocalDynamoDBServerHandler(requests, null);
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(HOST);
    connector.setPort(port);
    server.addConnector(connector);
    // The same handler nesting DynamoDBProxyServer uses.
    server.setHandler(new ContextHandler(handler));
    try {
      server.start();
    } catch (Exception e) {
      stopQuietly(server, requests, handler);
      throw new IllegalStateException("DynamoDB Local could not start on " + HOST + ":" + port, e);
    }
    EmbeddedDynamoDb db = new EmbeddedDynamoDb(server, requests, handler, connector.getLocalPort());
    LOG.info("DynamoDB Local listening on {}", db.endpoint);
    return db;
  }

  /** The base URI to give an SDK client as its endpoint override. */
  public URI endpoint() {
    return endpoint;
  }

  /** Stops the HTTP server, drops the in-memory database, and ends DynamoDB Local's threads. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("DynamoDB Local did not stop cleanly", e);
    } finally {
      release(requests, handler);
    }
  }

  private static LocalDynamoDBRequestHandler newRequestHandler() {
    try {
      // Arguments as ServerRunner passes them: in memory, no file path, and one shared database,
      // so every client sees the same tables whatever credentials or region it signs with.
      return new LocalDynamoDBRequestHandler(0, true, null, true, false);
    } catch (Exception e) {
      throw new IllegalStateException("DynamoDB Local could not open its in-memory database", e);
    }
  }

  private static void stopQuietly(
      Server server, LocalDynamoDBRequestHandler requests, LocalDynamoDBServerHandler handler) {
    try {
      server.stop();
    } catch (Exception ignored) {
      // Already failing to start; the start failure is the one worth reporting.
    } finally {
      release(requests, handler);
    }
  }

  private static void release(
      LocalDynamoDBRequestHandler requests, LocalDynamoDBServerHandler handler) {
    handler.close(); // closes the databases and asks the job pools to stop
    JobPools.stopNow(requests); // ...and this makes them stop now
  }
}
