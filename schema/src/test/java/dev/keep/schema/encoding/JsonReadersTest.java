package dev.keep.schema.encoding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every JSON reader in Keep refuses a key given twice (issue #14: a policy with {@code "sats"} twice
 * installed a limit other than the one its admins read). The class of bug is a reader built
 * without {@link Json#builder()}, so the sources are searched for one.
 */
class JsonReadersTest {
  /** Ways to make a Jackson reader other than {@link Json#builder()}. */
  private static final Pattern OWN_MAPPER = Pattern.compile(
      "JsonMapper\\.builder\\(\\)|new ObjectMapper\\(|new JsonMapper\\(|new JsonFactory\\(|JsonFactory\\.builder\\(\\)"
          + "|new CBORMapper\\(|new CBORFactory\\(|STRICT_DUPLICATE_DETECTION\\)\\s*\\.disable|without\\([^)]*DUP");

  @Test
  void theSharedMapperRefusesDuplicateKeys_inTreesAndRecords() {
    assertThrows(JsonProcessingException.class, () -> Json.MAPPER.readTree("{\"a\":1,\"a\":2}"));
    assertThrows(JsonProcessingException.class, () -> Json.MAPPER.readTree("{\"o\":{\"a\":1,\"a\":1}}"));
    assertThrows(JsonProcessingException.class, () -> Json.builder().build().readTree("{\"a\":1,\"a\":2}"));
    record Pair(int a) {}
    assertThrows(JsonProcessingException.class, () -> Json.MAPPER.readValue("{\"a\":1,\"a\":2}", Pair.class));
  }

  @Test
  void noJsonReaderIsBuiltOutsideJsonBuilder() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent();
    assertTrue(Files.exists(root.resolve("pom.xml")), "the repository root is above schema/: " + root);
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(JsonReadersTest::isMainJava).toList()) {
        if (file.endsWith(Path.of("dev/keep/schema/encoding/Json.java"))) {
          continue;
        }
        String text = Files.readString(file);
        var m = OWN_MAPPER.matcher(text);
        while (m.find()) {
          String rest = text.substring(m.start(), Math.min(text.length(), m.start() + 200));
          // A CBOR reader may be built here when the same statement turns strict detection on.
          boolean strictCbor = m.group().startsWith("CBOR") && rest.contains("STRICT_DUPLICATE_DETECTION");
          if (!strictCbor) {
            found.add(root.relativize(file) + ": " + m.group());
          }
        }
      }
    }
    assertEquals(List.of(), found, "build JSON readers from Json.builder(), which refuses duplicate keys");
  }

  private static boolean isMainJava(Path p) {
    String s = p.toString().replace('\\', '/');
    return s.endsWith(".java") && s.contains("/src/main/java/") && !s.contains("/target/");
  }
}
