package dev.keep.emulators.dynamodb;

import dev.keep.emulators.FreePort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * moto's server ({@code moto_server}, Apache-2.0) as a child process on 127.0.0.1, for its
 * DynamoDB: the local stack's and the tests' DynamoDB.
 *
 * <p>Each server keeps its own state in memory, shared by every client whatever credentials it
 * signs with (moto maps them all to one account), and loses it when it stops. Its output goes to a
 * log file, not a pipe, so a chatty server can never block on a full pipe.
 *
 * <p>{@link #close()} stops it (SIGTERM, then SIGKILL after {@value #STOP_SECONDS} s); so does a
 * shutdown hook when the JVM exits first. A JVM killed with SIGKILL runs no hook, so a watchdog, a
 * one-line shell process of its own, stops moto then: it waits on a pipe from this JVM, which the
 * kernel closes when the JVM dies however it dies.
 */
public final class MotoServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MotoServer.class);
  private static final String HOST = "127.0.0.1";
  // Python imports moto in about a second on an idle machine; a loaded 2-core one is slower.
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final long STOP_SECONDS = 10;
  private static final Duration POLL = Duration.ofMillis(50);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
  private static final int BIND_ATTEMPTS = 5;
  private static final int LOG_TAIL_LINES = 20;

  private final Process process;
  private final URI endpoint;
  private final Path log;
  private final boolean deleteLogOnClose;
  private final HttpClient http;
  private final Thread shutdownHook;
  // Held for the pipe to it: were this unreachable, the pipe would close and the watchdog fire.
  private Process watchdog;
  private volatile boolean closed;

  private MotoServer(Process process, int port, Path log, boolean deleteLogOnClose, HttpClient http) {
    this.process = process;
    this.endpoint = URI.create("http://" + HOST + ":" + port);
    this.log = log;
    this.deleteLogOnClose = deleteLogOnClose;
    this.http = http;
    this.shutdownHook = Thread.ofPlatform().name("moto-server-stop").unstarted(this::stopAndCleanUp);
  }

  /** Starts moto_server found by {@link MotoExecutable#find()}, logging to a temporary file. */
  public static MotoServer start() throws MotoNotFoundException {
    return start(MotoExecutable.find(), null);
  }

  /**
   * Starts {@code executable} on a free loopback port and returns once it answers HTTP. Its output
   * goes to {@code log}, which is truncated first; when {@code log} is null it goes to a temporary
   * file, deleted by a clean {@link #close()} (and kept if the start fails).
   *
   * @throws IllegalStateException if it exits before answering or does not answer in time; the
   *     message carries the end of its output
   */
  public static MotoServer start(MotoExecutable executable, Path log) {
    boolean temporary = log == null;
    Path logFile;
    try {
      logFile = temporary ? Files.createTempFile("keep-moto-", ".log") : log;
    } catch (IOException e) {
      throw new UncheckedIOException("moto_server: cannot create its log file", e);
    }
    HttpClient http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(REQUEST_TIMEOUT)
        .build();
    for (int attempt = 1; ; attempt++) {
      int port = FreePort.find(HOST);
      Process process = launch(executable, port, logFile);
      MotoServer server = new MotoServer(process, port, logFile, temporary, http);
      server.watchdog = startWatchdog(process.pid());
      try {
        server.awaitReady(Instant.now().plus(START_TIMEOUT));
        Runtime.getRuntime().addShutdownHook(server.shutdownHook);
        LOG.info("moto_server {} (pid {}) listening on {}, log {}", executable, process.pid(), server.endpoint, logFile);
        return server;
      } catch (PortTaken e) {
        server.stop();
        if (attempt == BIND_ATTEMPTS) {
          http.close();
          throw new IllegalStateException("moto_server: " + BIND_ATTEMPTS + " free ports were taken before it could bind them");
        }
        LOG.debug("moto_server lost port {} to another process; trying another", port);
      } catch (RuntimeException e) {
        server.stop();
        http.close();
        throw e;
      }
    }
  }

  /** The base URI to give an SDK client as its endpoint override. */
  public URI endpoint() {
    return endpoint;
  }

  /** The file its output goes to. */
  public Path log() {
    return log;
  }

  public long pid() {
    return process.pid();
  }

  /** Drops every table and item ({@code POST /moto-api/reset}). */
  public void reset() {
    HttpResponse<String> response = send(HttpRequest.newBuilder(endpoint.resolve("/moto-api/reset"))
        .timeout(REQUEST_TIMEOUT).POST(HttpRequest.BodyPublishers.noBody()).build());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("moto_server: reset answered HTTP " + response.statusCode() + ": " + response.body());
    }
  }

  /** Stops the server and waits for it to exit. Safe to repeat. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down; the hook stops it.
    }
    stopAndCleanUp();
  }

  private void stopAndCleanUp() {
    stop();
    http.close();
    if (deleteLogOnClose) {
      try {
        Files.deleteIfExists(log);
      } catch (IOException e) {
        LOG.debug("could not delete {}: {}", log, e.getMessage());
      }
    }
  }

  /**
   * Keep's launcher for moto (a resource beside this class): moto's own server, with moto 5.2's
   * memory growth and unserialised conditional writes fixed at start-up; see the file's comment.
   */
  private static final String LAUNCHER = "keep_moto.py";

  private static synchronized Path launcher() {
    try {
      Path file = Files.createTempFile("keep-moto-", ".py");
      file.toFile().deleteOnExit();
      try (var in = MotoServer.class.getResourceAsStream(LAUNCHER)) {
        if (in == null) {
          throw new IllegalStateException(LAUNCHER + " is not on the classpath beside " + MotoServer.class.getName());
        }
        Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("moto_server: cannot write its launcher", e);
    }
  }

  private static Process launch(MotoExecutable executable, int port, Path log) {
    ProcessBuilder builder = new ProcessBuilder(executable.python().toString(), launcher().toString(),
            "--host", HOST, "--port", Integer.toString(port))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    builder.environment().put("PYTHONUNBUFFERED", "1"); // so the log is current when we read it
    try {
      Process process = builder.start();
      process.getOutputStream().close(); // it reads nothing from stdin
      return process;
    } catch (IOException e) {
      throw new IllegalStateException("moto_server: cannot run " + executable + ": " + e.getMessage(), e);
    }
  }

  /** Polls until it answers HTTP, until it exits, or until {@code deadline}. */
  private void awaitReady(Instant deadline) throws PortTaken {
    HttpRequest probe = HttpRequest.newBuilder(endpoint.resolve("/moto-api/config")).timeout(REQUEST_TIMEOUT).GET().build();
    while (true) {
      if (!process.isAlive()) {
        String tail = logTail();
        if (tail.contains("Address already in use")) {
          throw new PortTaken();
        }
        throw new IllegalStateException("moto_server exited with code " + process.exitValue()
            + " before it answered on " + endpoint + "; the end of its output (" + log + "):\n" + tail);
      }
      try {
        int status = http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status >= 200 && status < 300 && process.isAlive()) { // moto answers this GET with 201
          return;
        }
      } catch (IOException e) {
        // Not listening yet.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for moto_server on " + endpoint, e);
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("moto_server did not answer on " + endpoint + " within " + START_TIMEOUT
            + "; the end of its output (" + log + "):\n" + logTail());
      }
      try {
        // Wakes at once if the process exits.
        process.onExit().get(POLL.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException e) {
        // Still running: poll again.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for moto_server on " + endpoint, e);
      }
    }
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("moto_server on " + endpoint + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted talking to moto_server on " + endpoint, e);
    }
  }

  /**
   * {@code sh} reading its stdin, a pipe from this JVM, until end of file, then sending moto
   * SIGTERM. Nothing is ever written to the pipe; it ends when this JVM closes it or dies. Null
   * when there is no {@code /bin/sh}: then only close() and the shutdown hook stop moto.
   */
  private static Process startWatchdog(long motoPid) {
    try {
      return new ProcessBuilder("/bin/sh", "-c", "read -r _; kill \"$0\" 2>/dev/null", Long.toString(motoPid))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      LOG.debug("no watchdog for moto_server (pid {}): {}", motoPid, e.getMessage());
      return null;
    }
  }

  /** SIGTERM to it and anything it started, then SIGKILL to what is left after the deadline. */
  private void stop() {
    closed = true;
    if (watchdog != null) {
      watchdog.destroyForcibly(); // before moto exits, so it can never signal a reused pid
    }
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
        LOG.warn("moto_server (pid {}) ignored SIGTERM for {} s; killing it", process.pid(), STOP_SECONDS);
        process.destroyForcibly();
        process.waitFor(STOP_SECONDS, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  private String logTail() {
    try {
      List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** The port was taken between choosing it and moto binding it. */
  private static final class PortTaken extends Exception {
    private static final long serialVersionUID = 1L;
  }
}
