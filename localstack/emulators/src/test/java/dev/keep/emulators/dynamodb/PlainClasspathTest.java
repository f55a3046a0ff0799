package dev.keep.emulators.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * DynamoDB Local must find its sqlite4java natives from a classpath of jars alone, as under
 * {@code java -cp 'target/lib/*'}: no {@code .so} artifacts, no {@code java.library.path}, and an
 * empty temporary directory.
 */
class PlainClasspathTest {
  @Test
  void startsFromJarsAloneInAFreshJvm(@TempDir Path tmp) throws Exception {
    Path nativesDir = Files.createDirectory(tmp.resolve("tmpdir"));
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Djava.io.tmpdir=" + nativesDir,
            "-Xshare:auto",
            "-XX:TieredStopAtLevel=1",
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            jarsAndDirectoriesOnly(),
            PlainClasspathLauncher.class.getName());
    Process child =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.PIPE)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    List<String> seen = new ArrayList<>();
    try {
      URI endpoint =
          CompletableFuture.supplyAsync(() -> readEndpoint(out, seen)).get(30, TimeUnit.SECONDS);
      try (DynamoDbClient client = LocalClients.dynamoDb(endpoint)) {
        client.createTable(
            b ->
                b.tableName("probe")
                    .billingMode("PAY_PER_REQUEST")
                    .attributeDefinitions(a -> a.attributeName("k").attributeType("S"))
                    .keySchema(k -> k.attributeName("k").keyType("HASH")));
        assertEquals(List.of("probe"), client.listTables().tableNames());
      }
      try (Stream<Path> files = Files.list(nativesDir)) {
        // DynamoDB Local 2.x copied the native library out of its own jar.
        assertTrue(
            files.anyMatch(f -> f.getFileName().toString().contains("sqlite4java")),
            "no extracted sqlite4java library in " + nativesDir);
      }
    } finally {
      child.getOutputStream().close();
      if (!child.waitFor(15, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
    }
    assertEquals(0, child.exitValue(), String.join("\n", seen));
  }

  private static URI readEndpoint(BufferedReader out, List<String> seen) {
    try {
      for (String line; (line = out.readLine()) != null; ) {
        seen.add(line);
        if (line.startsWith("ENDPOINT ")) {
          return URI.create(line.substring("ENDPOINT ".length()));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    throw new IllegalStateException("child exited without an endpoint:\n" + String.join("\n", seen));
  }

  /**
   * The test classpath without DynamoDB Local's separate native artifacts ({@code .so}, {@code
   * .dll}, {@code .dylib}), which surefire lists but a {@code lib/*} wildcard would never include.
   */
  private static String jarsAndDirectoriesOnly() {
    // Surefire may hide the real classpath in a manifest-only jar; it exposes it here.
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return Arrays.stream(classpath.split(File.pathSeparator))
        .filter(entry -> entry.endsWith(".jar") || new File(entry).isDirectory())
        .collect(Collectors.joining(File.pathSeparator));
  }
}
