package dev.keep.emulators;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * All three emulators in a fresh JVM whose classpath is jars only, as under {@code java -cp
 * 'target/lib/*'}, with an empty temporary directory. Checks that each answers through the SDK,
 * that after close() no thread is left holding the JVM open, and that moto_server, a process of
 * its own, is gone once the JVM has exited: closed by the JVM, stopped by its shutdown hook, or,
 * when the JVM is killed with SIGKILL, by MotoServer's watchdog.
 */
class FreshJvmTest {
  private static final long START_SECONDS = 40;
  private static final long EXIT_SECONDS = 15;

  /** How the test ends the child JVM. */
  private enum End {
    CLOSE_STDIN,
    EXIT_WITHOUT_CLOSE,
    SIGKILL
  }

  @Test
  void runsFromJarsAloneAndExitsAfterClose(@TempDir Path tmp) throws Exception {
    runChild(tmp, End.CLOSE_STDIN);
  }

  @Test
  void motoStopsWhenTheJvmExitsWithoutClosingIt(@TempDir Path tmp) throws Exception {
    runChild(tmp, End.EXIT_WITHOUT_CLOSE);
  }

  @Test
  void motoStopsWhenTheJvmIsKilled(@TempDir Path tmp) throws Exception {
    runChild(tmp, End.SIGKILL);
  }

  private static void runChild(Path tmp, End end) throws Exception {
    Path tmpdir = Files.createDirectory(tmp.resolve("tmpdir"));
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.io.tmpdir=" + tmpdir,
        "-XX:TieredStopAtLevel=1",
        "--enable-native-access=ALL-UNNAMED",
        "-cp",
        jarsAndDirectoriesOnly(),
        FreshJvmLauncher.class.getName()));
    if (end == End.EXIT_WITHOUT_CLOSE) {
      command.add("--exit-without-close");
    }
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> output = new CopyOnWriteArrayList<>();
    CompletableFuture<Map<String, String>> ready =
        CompletableFuture.supplyAsync(() -> readUntilReady(child, output));
    Optional<ProcessHandle> moto = Optional.empty();
    try {
      Map<String, String> printed = ready.get(START_SECONDS, TimeUnit.SECONDS);
      moto = ProcessHandle.of(Long.parseLong(printed.get("MOTO_PID")));
      assertTrue(moto.isPresent(), "moto_server is running");
      useDynamoDb(URI.create(printed.get("DYNAMODB")));
      useSqs(URI.create(printed.get("SQS")));
      useKms(URI.create(printed.get("KMS")));
    } finally {
      if (end == End.SIGKILL) {
        child.destroyForcibly();
      } else {
        child.getOutputStream().close();
      }
      if (!child.waitFor(EXIT_SECONDS, TimeUnit.SECONDS)) {
        child.destroyForcibly();
        moto.ifPresent(ProcessHandle::destroyForcibly);
        throw new AssertionError(
            "child JVM still running "
                + EXIT_SECONDS
                + " s after close:\n"
                + String.join("\n", output));
      }
    }
    boolean motoExited = awaitExit(moto.orElseThrow());
    moto.get().destroyForcibly(); // Whatever happened, leave nothing running.
    assertTrue(motoExited, "moto_server " + moto.get().pid() + " outlived its JVM (" + end + ")");
    if (end != End.SIGKILL) {
      assertEquals(0, child.exitValue(), String.join("\n", output));
    }
  }

  private static boolean awaitExit(ProcessHandle process) throws Exception {
    try {
      process.onExit().get(EXIT_SECONDS, TimeUnit.SECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    }
  }

  private static void useDynamoDb(URI endpoint) {
    try (DynamoDbClient client = LocalAws.dynamoDb(endpoint)) {
      client.createTable(
          b ->
              b.tableName("probe")
                  .billingMode(BillingMode.PAY_PER_REQUEST)
                  .attributeDefinitions(
                      AttributeDefinition.builder().attributeName("k").attributeType("S").build())
                  .keySchema(
                      KeySchemaElement.builder().attributeName("k").keyType(KeyType.HASH).build()));
      assertEquals(List.of("probe"), client.listTables().tableNames(), "a server of its own");
    }
  }

  private static void useSqs(URI endpoint) {
    try (SqsClient client = LocalAws.sqs(endpoint)) {
      String url = client.createQueue(b -> b.queueName("probe")).queueUrl();
      client.sendMessage(b -> b.queueUrl(url).messageBody("ping"));
      assertEquals(
          "ping",
          client
              .receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(5))
              .messages()
              .getFirst()
              .body());
    }
  }

  private static void useKms(URI endpoint) {
    try (KmsClient client = LocalAws.kms(endpoint)) {
      String keyId = client.createKey(b -> {}).keyMetadata().keyId();
      SdkBytes plaintext = SdkBytes.fromUtf8String("probe");
      SdkBytes ciphertext =
          client.encrypt(b -> b.keyId(keyId).plaintext(plaintext)).ciphertextBlob();
      assertEquals(plaintext, client.decrypt(b -> b.ciphertextBlob(ciphertext)).plaintext());
    }
  }

  private static Map<String, String> readUntilReady(Process child, List<String> output) {
    Map<String, String> printed = new HashMap<>();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    try {
      for (String line; (line = in.readLine()) != null; ) {
        output.add(line);
        if (line.equals("READY")) {
          // Keep draining, so a chatty child never blocks on a full pipe.
          Thread.ofVirtual().start(() -> drain(in, output));
          return printed;
        }
        String[] parts = line.split(" ", 2);
        if (parts.length == 2 && List.of("SQS", "DYNAMODB", "MOTO_PID", "KMS").contains(parts[0])) {
          printed.put(parts[0], parts[1]);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    throw new IllegalStateException("child exited before READY:\n" + String.join("\n", output));
  }

  private static void drain(BufferedReader in, List<String> output) {
    try {
      for (String line; (line = in.readLine()) != null; ) {
        output.add(line);
      }
    } catch (IOException e) {
      // The child went away; nothing more to read.
    }
  }

  /**
   * The test classpath minus anything that is neither a jar nor a directory, which a {@code lib/*}
   * wildcard would never pick up.
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
