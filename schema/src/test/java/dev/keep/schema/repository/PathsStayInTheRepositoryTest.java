package dev.keep.schema.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A clean clone must pass its own tests, so nothing in the repository may reach for a file above
 * its root, as a test once read the Nitro vector from a {@code shared/} directory beside the
 * checkout. Scans the repository's sources, build files, scripts and READMEs (java, xml, sh, md,
 * yml, properties, the {@code keep} launcher, {@code .ci/*}) for:
 *
 * <ul>
 *   <li>the directory {@code shared} beside the checkout, reached relatively or by its absolute path;
 *   <li>a relative path with {@code ../} that resolves outside the root: against the file's own
 *       directory, or, in Java, against its module's directory (where tests run);
 *   <li>in Java, {@code ".."} path elements ({@code Path.of("..", "..", ...)}) that climb out of the
 *       module's directory and then the root.
 * </ul>
 *
 * Build output ({@code target/}), VCS and editor directories and {@code .keep/} are not scanned.
 * This file is not scanned either: it has to spell out what it looks for.
 */
class PathsStayInTheRepositoryTest {
  private static final Set<String> EXTENSIONS = Set.of("java", "xml", "sh", "md", "yml", "yaml", "properties");
  private static final Set<String> SCRIPTS = Set.of("keep", "mvnw");
  private static final Set<String> SKIPPED_DIRECTORIES = Set.of("target", ".git", ".keep", ".idea", ".vscode", "node_modules");
  // Spelt in pieces, so that a plain text search for paths outside the repository does not find
  // this test as one of them.
  private static final List<String> OUTSIDE = List.of(".." + "/shared", "/work" + "/shared");
  // A path-like run of characters that contains ../ somewhere.
  private static final Pattern RELATIVE = Pattern.compile("[\\w.${}/-]*\\.\\./[\\w.${}/-]*");
  private static final Pattern BASEDIR = Pattern.compile("^\\$\\{(?:project\\.)?basedir}/");
  // "..", "..", ... as Java arguments: one climb per element.
  private static final Pattern JAVA_PARENT_ELEMENTS = Pattern.compile("\"\\.\\.\"(?:\\s*,\\s*\"\\.\\.\")*");

  private static final Path ROOT = repositoryRoot();

  @Test
  void noFileReachesAboveTheRepositoryRoot() throws IOException {
    List<Path> files = scannedFiles();
    assertTrue(files.size() > 100, "scanned only " + files.size() + " files under " + ROOT);
    List<String> violations = new ArrayList<>();
    for (Path file : files) {
      violations.addAll(violations(file));
    }
    assertEquals(List.of(), violations, "paths that leave the repository (" + ROOT + ")");
  }

  @Test
  void theScanFindsWhatItIsFor() {
    Path module = ROOT.resolve("enclave");
    Path java = module.resolve("src/test/java/Example.java");
    String up = "..";
    assertFalse(violations(java, module, "Path.of(\"" + up + "\", \"" + up + "\", \"vectors\")").isEmpty());
    assertEquals(List.of(), violations(java, module, "Path.of(\"" + up + "\", \"schema\")"));
    assertFalse(violations(java, module, "read(\"" + up + "/" + up + "/elsewhere/x.b64\")").isEmpty());
    assertEquals(List.of(), violations(java, module, "read(\"" + up + "/schema/x.json\")"));
    Path readme = ROOT.resolve("README.md");
    assertFalse(violations(readme, ROOT, "see [it](" + up + "/" + "shared/design/A.md)").isEmpty());
    assertFalse(violations(readme, ROOT, "see [it](" + up + "/" + "elsewhere/A.md)").isEmpty());
    assertEquals(List.of(), violations(readme, ROOT, "see schema/" + up + "./keep/tables and (" + up + ".)"));
    Path pom = ROOT.resolve("localstack/local/pom.xml");
    assertEquals(List.of(), violations(pom, pom.getParent(), "${project.basedir}/" + up + "/" + up + "/enclave/build"));
    assertFalse(violations(pom, pom.getParent(), "${project.basedir}/" + up + "/" + up + "/" + up + "/x").isEmpty());
  }

  private static List<String> violations(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (MalformedInputException e) {
      return List.of(); // Not UTF-8 text, so no source, script or README of ours.
    } catch (IOException e) {
      return List.of(ROOT.relativize(file) + ": cannot read: " + e.getMessage());
    }
    Path base = file.toString().endsWith(".java") ? moduleOf(file) : file.getParent();
    List<String> found = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      for (String problem : violations(file, base, lines.get(i))) {
        found.add(ROOT.relativize(file) + ":" + (i + 1) + ": " + problem);
      }
    }
    return found;
  }

  /** What is wrong with one line of {@code file}, whose relative paths resolve against {@code base}. */
  private static List<String> violations(Path file, Path base, String line) {
    List<String> found = new ArrayList<>();
    for (String outside : OUTSIDE) {
      if (line.contains(outside)) {
        found.add("'" + outside + "' is outside the repository");
      }
    }
    Matcher relative = RELATIVE.matcher(line);
    while (relative.find()) {
      String token = relative.group();
      if (token.contains("...") || token.contains("://")) {
        continue; // an ellipsis in prose, or a URL
      }
      Matcher basedir = BASEDIR.matcher(token);
      String path = basedir.find() ? token.substring(basedir.end()) : token;
      if (path.startsWith("/") || path.contains("${")) {
        continue; // absolute, or built from a property this test cannot know
      }
      Path resolved = base.resolve(path).normalize();
      if (!resolved.startsWith(ROOT)) {
        found.add("'" + token + "' resolves to " + resolved + ", outside the repository");
      }
    }
    if (file.toString().endsWith(".java")) {
      Matcher parents = JAVA_PARENT_ELEMENTS.matcher(line);
      while (parents.find()) {
        Path resolved = base;
        for (int climbs = parents.group().split(",").length; climbs > 0; climbs--) {
          resolved = resolved.resolve("..");
        }
        resolved = resolved.normalize();
        if (!resolved.startsWith(ROOT)) {
          found.add("'" + parents.group() + "' climbs to " + resolved + ", outside the repository");
        }
      }
    }
    return found;
  }

  private static List<Path> scannedFiles() throws IOException {
    Path self = ROOT.resolve("schema/src/test/java")
        .resolve(PathsStayInTheRepositoryTest.class.getName().replace('.', '/') + ".java");
    List<Path> files = new ArrayList<>();
    Files.walkFileTree(ROOT, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
        String name = dir.getFileName().toString();
        boolean hidden = name.startsWith(".") && !name.equals(".ci") && !name.equals(".mvn");
        return !dir.equals(ROOT) && (SKIPPED_DIRECTORIES.contains(name) || hidden)
            ? FileVisitResult.SKIP_SUBTREE
            : FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        boolean scanned = SCRIPTS.contains(name)
            || file.getParent().getFileName().toString().equals(".ci")
            || (dot > 0 && EXTENSIONS.contains(name.substring(dot + 1)));
        if (scanned && attributes.isRegularFile() && !file.equals(self)) {
          files.add(file);
        }
        return FileVisitResult.CONTINUE;
      }
    });
    return files;
  }

  /** The nearest directory above {@code file} that holds a pom.xml: where its tests run. */
  private static Path moduleOf(Path file) {
    for (Path dir = file.getParent(); dir != null && dir.startsWith(ROOT); dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
    }
    return ROOT;
  }

  /** The repository root: the parent of this module's directory, where the root pom is. */
  private static Path repositoryRoot() {
    Path root = Path.of("").toAbsolutePath().getParent();
    try {
      if (!Files.readString(root.resolve("pom.xml")).contains("<artifactId>keep-parent</artifactId>")) {
        throw new IllegalStateException(root + "/pom.xml is not Keep's root pom");
      }
    } catch (IOException e) {
      throw new IllegalStateException("run from the schema module: no root pom at " + root, e);
    }
    return root.normalize();
  }
}
