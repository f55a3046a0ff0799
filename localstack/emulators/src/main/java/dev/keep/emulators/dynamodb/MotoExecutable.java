package dev.keep.emulators.dynamodb;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where {@code moto_server} is: the DynamoDB emulator the local stack and the tests start as a
 * child process (moto, Apache-2.0).
 *
 * <p>Looked for in this order, the first executable file winning:
 *
 * <ol>
 *   <li>{@code $KEEP_MOTO_SERVER}, which must then name an executable file (a wrong override is an
 *       error, never silently passed over);
 *   <li>each directory on {@code PATH}, except pyenv's shim directory;
 *   <li>pyenv's installed versions, {@code $PYENV_ROOT/versions/*}{@code /bin} (default {@code
 *       ~/.pyenv}), newest version first. Called directly, not through a shim, it starts about 0.7
 *       s sooner and works whichever Python version pyenv has selected;
 *   <li>pyenv's shim directory, if it was on {@code PATH};
 *   <li>Keep's own virtual environment, {@code $KEEP_HOME/moto-venv/bin} (default {@code
 *       ~/.keep}), where {@link MotoInstaller} puts it.
 * </ol>
 */
public final class MotoExecutable {
  /** Environment variable naming the moto_server executable to use. */
  public static final String OVERRIDE = "KEEP_MOTO_SERVER";

  /** The moto version the build is tested with, and the one {@link MotoInstaller} installs. */
  public static final String TESTED_VERSION = "5.2.1";

  static final String NAME = "moto_server";
  private static final Pattern VERSION_DIR = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?.*");

  private final Path path;

  private MotoExecutable(Path path) {
    this.path = path;
  }

  public Path path() {
    return path;
  }

  /**
   * The Python that runs this moto_server, so Keep can start moto through its own launcher
   * ({@code keep_moto.py}) in the same environment: the script's {@code #!} interpreter when it
   * names a Python (pip writes that line), else the {@code python3} beside it (a pyenv shim).
   */
  public Path python() {
    try (var lines = Files.lines(path)) {
      String first = lines.findFirst().orElse("");
      if (first.startsWith("#!")) {
        String[] command = first.substring(2).trim().split("\\s+");
        Path interpreter = Path.of(command[0]);
        if (interpreter.getFileName().toString().startsWith("python") && isExecutableFile(interpreter)) {
          return interpreter;
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      // Not a text script: fall through to the interpreter beside it.
    }
    for (String name : List.of("python3", "python")) {
      Path beside = path.resolveSibling(name);
      if (isExecutableFile(beside)) {
        return beside;
      }
    }
    throw new IllegalStateException("moto_server at " + path + ": no Python interpreter found in its #! line or"
        + " beside it; set " + OVERRIDE + " to a moto_server installed by pip");
  }

  @Override
  public String toString() {
    return path.toString();
  }

  /** Finds moto_server from this process's environment and home directory. */
  public static MotoExecutable find() throws MotoNotFoundException {
    return find(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  /**
   * Finds moto_server as {@link MotoExecutable described above}, with {@code env} as the
   * environment and {@code userHome} used only when {@code HOME} is not in it.
   */
  public static MotoExecutable find(Map<String, String> env, Path userHome)
      throws MotoNotFoundException {
    String override = env.get(OVERRIDE);
    if (override != null && !override.isBlank()) {
      Path named = Path.of(override);
      if (isExecutableFile(named)) {
        return new MotoExecutable(named);
      }
      throw new MotoNotFoundException(
          OVERRIDE + "=" + override + ": must name an executable moto_server file, and it does not"
              + " (unset it to let Keep look on PATH, in pyenv and in " + venv(env, userHome) + ")",
          installCommand(env, userHome));
    }
    Path home = home(env, userHome);
    Path pyenvRoot = nonBlank(env.get("PYENV_ROOT")).map(Path::of).orElse(home.resolve(".pyenv"));
    Path shims = pyenvRoot.resolve("shims").toAbsolutePath().normalize();
    boolean shimsOnPath = false;
    for (Path dir : pathDirectories(env)) {
      if (dir.toAbsolutePath().normalize().equals(shims)) {
        shimsOnPath = true;
        continue;
      }
      Optional<MotoExecutable> found = in(dir);
      if (found.isPresent()) {
        return found.get();
      }
    }
    for (Path dir : pyenvVersions(pyenvRoot)) {
      Optional<MotoExecutable> found = in(dir);
      if (found.isPresent()) {
        return found.get();
      }
    }
    if (shimsOnPath) {
      Optional<MotoExecutable> found = in(shims);
      if (found.isPresent()) {
        return found.get();
      }
    }
    Optional<MotoExecutable> found = in(venv(env, userHome).resolve("bin"));
    if (found.isPresent()) {
      return found.get();
    }
    throw new MotoNotFoundException(
        "moto_server (moto's DynamoDB emulator, the local stack's DynamoDB) was not found: not in "
            + OVERRIDE
            + " (unset), on PATH, in "
            + pyenvRoot.resolve("versions").resolve("*").resolve("bin")
            + ", nor in "
            + venv(env, userHome).resolve("bin"),
        installCommand(env, userHome));
  }

  /** Keep's own virtual environment for moto: {@code $KEEP_HOME/moto-venv}. */
  public static Path venv(Map<String, String> env, Path userHome) {
    return keepHome(env, userHome).resolve("moto-venv");
  }

  /** {@code $KEEP_HOME}, else {@code ~/.keep}, as for the local enclave's data directory. */
  static Path keepHome(Map<String, String> env, Path userHome) {
    return nonBlank(env.get("KEEP_HOME")).map(Path::of).orElse(home(env, userHome).resolve(".keep"));
  }

  /** The one command that installs moto where {@link #find} looks last. */
  public static String installCommand(Map<String, String> env, Path userHome) {
    Path venv = venv(env, userHome);
    return "python3 -m venv "
        + shellQuote(venv.toString())
        + " && "
        + shellQuote(venv.resolve("bin").resolve("pip").toString())
        + " install 'moto[server]=="
        + TESTED_VERSION
        + "'";
  }

  private static Path home(Map<String, String> env, Path userHome) {
    return nonBlank(env.get("HOME")).map(Path::of).orElse(userHome);
  }

  private static Optional<MotoExecutable> in(Path dir) {
    Path candidate = dir.resolve(NAME);
    return isExecutableFile(candidate) ? Optional.of(new MotoExecutable(candidate)) : Optional.empty();
  }

  private static boolean isExecutableFile(Path path) {
    return Files.isRegularFile(path) && Files.isExecutable(path);
  }

  private static List<Path> pathDirectories(Map<String, String> env) {
    List<Path> dirs = new ArrayList<>();
    for (String entry : env.getOrDefault("PATH", "").split(Pattern.quote(File.pathSeparator))) {
      if (!entry.isBlank()) {
        dirs.add(Path.of(entry));
      }
    }
    return dirs;
  }

  /** {@code <root>/versions/<v>/bin}, newest version first (3.13.0 before 3.9.18). */
  private static List<Path> pyenvVersions(Path pyenvRoot) {
    Path versions = pyenvRoot.resolve("versions");
    if (!Files.isDirectory(versions)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(versions)) {
      return dirs.filter(Files::isDirectory)
          .sorted(Comparator.comparing(MotoExecutable::versionKey).reversed())
          .map(dir -> dir.resolve("bin"))
          .toList();
    } catch (IOException e) {
      return List.of(); // An unreadable pyenv is one place fewer to look, not a failure.
    }
  }

  private static String versionKey(Path dir) {
    Matcher m = VERSION_DIR.matcher(dir.getFileName().toString());
    if (!m.matches()) {
      return "0";
    }
    return String.format(
        "%05d.%05d.%05d.%s",
        Integer.parseInt(m.group(1)),
        Integer.parseInt(m.group(2)),
        m.group(3) == null ? 0 : Integer.parseInt(m.group(3)),
        dir.getFileName());
  }

  private static Optional<String> nonBlank(String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
  }

  private static String shellQuote(String s) {
    return s.matches("[A-Za-z0-9_./=:@%+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
  }
}
