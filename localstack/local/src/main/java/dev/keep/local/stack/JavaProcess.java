package dev.keep.local.stack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A child JVM running one of Keep's programs on this JVM's class path, started and waited for
 * until it prints its ready line. Its output is relayed to this process's stderr with a prefix.
 */
public final class JavaProcess implements AutoCloseable {
  private final Process process;
  private final String readyLine;
  private final String name;
  private final List<String> output;

  private JavaProcess(Process process, String readyLine, String name, List<String> output) {
    this.process = process;
    this.readyLine = readyLine;
    this.name = name;
    this.output = output;
  }

  public static JavaProcess start(
      String name, String mainClass, List<String> args, Map<String, String> env, String readyPrefix, Duration timeout)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-Xshare:auto");
    command.add("-XX:+UseSerialGC"); // small heaps, two cores: the simplest collector is the cheapest
    command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=" + System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    CompletableFuture<String> ready = new CompletableFuture<>();
    List<String> output = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread.ofPlatform().daemon(true).name(name + "-output").start(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          if (!ready.isDone() && line.startsWith(readyPrefix)) {
            ready.complete(line);
          } else {
            output.add(line);
            System.err.println("[" + name + "] " + line);
          }
        }
      } catch (IOException e) {
        // The process ended.
      }
      ready.completeExceptionally(new IOException(name + " exited with code " + exitCode(process) + " before it was ready"));
    });
    try {
      return new JavaProcess(process, ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS), name, output);
    } catch (TimeoutException e) {
      process.destroyForcibly();
      throw new IOException(name + " was not ready within " + timeout);
    } catch (ExecutionException e) {
      throw new IOException(e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IOException("interrupted while starting " + name);
    }
  }

  private static String exitCode(Process process) {
    try {
      return process.waitFor(2, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  /** The line the process printed when it became ready. */
  public String readyLine() {
    return readyLine;
  }

  /** Whether the process has printed a line starting with {@code prefix} since it was ready. */
  public boolean printed(String prefix) {
    return output.stream().anyMatch(line -> line.startsWith(prefix));
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL: the process gets no chance to clean up, as in a crash or a power loss. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM, then wait for a graceful exit. */
  public boolean terminate(Duration grace) throws InterruptedException {
    // Through the handle: Process.destroy() would also close our end of the child's output, and
    // what it prints while stopping would be lost.
    process.toHandle().destroy();
    return process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }
}
