package dev.keep.emulators.dynamodb;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * For test suites: one moto server per JVM (per surefire fork), started by the first test that
 * asks and stopped by {@link MotoServer}'s shutdown hook when the JVM exits. Starting Python and
 * moto costs about a second, so test classes share the server rather than each starting one.
 *
 * <p>They share its state too, so each test class works on tables of its own, named with {@link
 * #tablePrefix(String)}; nothing needs resetting between classes. Not for the local stack, which
 * owns its server.
 */
public final class SharedMotoServer {
  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private static MotoServer server;

  private SharedMotoServer() {}

  /**
   * The shared server's endpoint, starting the server on the first call.
   *
   * @throws IllegalStateException if moto_server is not installed (the message gives the command
   *     that installs it) or does not start
   */
  public static synchronized URI endpoint() {
    if (server == null) {
      try {
        server = MotoServer.start(MotoExecutable.find(), logFile());
      } catch (MotoNotFoundException e) {
        throw new IllegalStateException("the tests need moto for DynamoDB: " + e.getMessage(), e);
      }
    }
    return server.endpoint();
  }

  /**
   * A table-name prefix that no other caller in this JVM gets: {@code <owner>-<n>-}. Give every
   * table a test creates on the shared server this prefix.
   */
  public static String tablePrefix(String owner) {
    if (!owner.matches("[A-Za-z0-9_.-]{1,100}")) {
      throw new IllegalArgumentException("owner: must be 1..100 of A-Z a-z 0-9 _ . -, got '" + owner + "'");
    }
    return owner + "-" + PREFIXES.incrementAndGet() + "-";
  }

  /** {@code target/moto-server.log} in a Maven module's directory (surefire's), else a temp file. */
  private static Path logFile() {
    Path target = Path.of("target");
    return Files.isDirectory(target) ? target.resolve("moto-server.log").toAbsolutePath() : null;
  }
}
