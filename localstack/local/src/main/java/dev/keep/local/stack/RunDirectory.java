package dev.keep.local.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running stack's private files (the software NSM's root key among them) under {@code
 * $KEEP_HOME/run/stack-<pid>-<n>}, readable by the owner only, and deleted when the stack stops.
 * A stack that was killed cannot delete its own: the next stack deletes every directory whose
 * process is gone. Nothing of the stack's is left in {@code /tmp}.
 */
public final class RunDirectory implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunDirectory.class);
  private static final String PREFIX = "stack-";

  private final Path path;

  private RunDirectory(Path path) {
    this.path = path;
  }

  /** {@code $KEEP_HOME}, else {@code ~/.keep}. */
  public static Path keepHome() {
    String home = System.getenv("KEEP_HOME");
    Path base = home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".keep");
    return base.toAbsolutePath();
  }

  /** Creates this process's directory under {@code $KEEP_HOME/run}, after removing dead stacks' ones. */
  public static RunDirectory create() throws IOException {
    return create(keepHome().resolve("run"));
  }

  static RunDirectory create(Path runs) throws IOException {
    Files.createDirectories(runs);
    removeAbandoned(runs);
    // createTempDirectory makes it rwx------ on POSIX file systems.
    Path dir = Files.createTempDirectory(runs, PREFIX + ProcessHandle.current().pid() + "-");
    return new RunDirectory(dir);
  }

  public Path path() {
    return path;
  }

  /** Deletes the directory and everything in it. */
  @Override
  public void close() {
    try {
      deleteTree(path);
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("could not delete {}: {}", path, e.getMessage());
    }
  }

  private static void removeAbandoned(Path runs) throws IOException {
    try (Stream<Path> dirs = Files.list(runs)) {
      for (Path dir : dirs.toList()) {
        String name = dir.getFileName().toString();
        if (!name.startsWith(PREFIX)) {
          continue;
        }
        String rest = name.substring(PREFIX.length());
        int dash = rest.indexOf('-');
        long pid;
        try {
          pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
        } catch (NumberFormatException e) {
          continue;
        }
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          continue;
        }
        LOG.info("removing {}, left by a stack (pid {}) that did not stop cleanly", dir, pid);
        deleteTree(dir);
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
