package dev.keep.emulators.dynamodb;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Installs moto into Keep's own virtual environment, {@code $KEEP_HOME/moto-venv}, where {@link
 * MotoExecutable#find} looks last: {@code python3 -m venv}, then {@code pip install
 * 'moto[server]==}{@value MotoExecutable#TESTED_VERSION}{@code '}. For {@code ./keep}, which
 * installs it on first use; the build and the tests never install anything.
 */
public final class MotoInstaller {
  private static final Duration VENV_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration PIP_TIMEOUT = Duration.ofMinutes(10);
  private static final int TAIL_LINES = 4;

  private final Map<String, String> env;
  private final Path userHome;
  private final String python;

  /**
   * @param python the Python 3 to make the environment with, e.g. {@code python3} (looked up on
   *     {@code PATH})
   */
  public MotoInstaller(Map<String, String> env, Path userHome, String python) {
    this.env = Map.copyOf(env);
    this.userHome = userHome;
    this.python = python;
  }

  /** For this process: its environment, home directory and {@code python3}. */
  public static MotoInstaller forThisProcess() {
    return new MotoInstaller(System.getenv(), Path.of(System.getProperty("user.home")), "python3");
  }

  /** moto_server as found, or installed first, saying so on {@code progress}. */
  public MotoExecutable findOrInstall(PrintStream progress) throws MotoNotFoundException {
    try {
      return MotoExecutable.find(env, userHome);
    } catch (MotoNotFoundException missing) {
      if (env.containsKey(MotoExecutable.OVERRIDE)) {
        throw missing; // The user named one; installing another would hide their mistake.
      }
      return install(progress);
    }
  }

  /** Installs moto into {@code $KEEP_HOME/moto-venv}, then finds it there. */
  public MotoExecutable install(PrintStream progress) throws MotoNotFoundException {
    Path venv = MotoExecutable.venv(env, userHome);
    String command = MotoExecutable.installCommand(env, userHome);
    Path log = MotoExecutable.keepHome(env, userHome).resolve("moto-install.log");
    progress.println("keep: moto_server (moto, the local DynamoDB) is not installed; installing moto "
        + MotoExecutable.TESTED_VERSION + " into " + venv + " (" + command + "), output in " + log + " ...");
    try {
      Files.createDirectories(log.getParent());
      Files.deleteIfExists(log);
    } catch (IOException e) {
      throw new MotoNotFoundException("moto could not be installed: cannot write " + log + ": " + e.getMessage(), command);
    }
    run(List.of(python, "-m", "venv", venv.toString()), VENV_TIMEOUT, log, command);
    run(List.of(venv.resolve("bin").resolve("pip").toString(), "install", "--disable-pip-version-check",
        "moto[server]==" + MotoExecutable.TESTED_VERSION), PIP_TIMEOUT, log, command);
    MotoExecutable installed = MotoExecutable.find(env, userHome);
    progress.println("keep: installed " + installed);
    return installed;
  }

  private static void run(List<String> argv, Duration timeout, Path log, String command) throws MotoNotFoundException {
    String shown = String.join(" ", argv);
    Process process;
    try {
      process = new ProcessBuilder(argv)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new MotoNotFoundException("moto could not be installed: cannot run '" + shown + "': " + e.getMessage(), command);
    }
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new MotoNotFoundException("moto could not be installed: '" + shown + "' did not finish within "
            + timeout + " (output in " + log + ")", command);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new MotoNotFoundException("moto could not be installed: interrupted during '" + shown + "'", command);
    }
    if (process.exitValue() != 0) {
      throw new MotoNotFoundException("moto could not be installed: '" + shown + "' exited with status "
          + process.exitValue() + "; the end of its output (all of it in " + log + "):\n" + tail(log), command);
    }
  }

  private static String tail(Path log) {
    try {
      // Not readAllLines: pip's output need not be valid UTF-8, and a bad byte must not hide it.
      List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
      return "  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "  (cannot read " + log + ")";
    }
  }
}
