package dev.keep.schema.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** RFC 8785 against its author's test data and V8's number printing (see resources/jcs/README.md). */
class JcsTest {

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = JcsTest.class.getResourceAsStream("/jcs/" + name)) {
      if (in == null) {
        throw new IOException("missing test resource /jcs/" + name);
      }
      return in.readAllBytes();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"arrays", "french", "structures", "unicode", "values", "weird"})
  void everyPublishedCase_canonicalisesToItsOutput(String name) throws Exception {
    String input = new String(resource(name + ".input.json"), StandardCharsets.UTF_8);
    byte[] expected = resource(name + ".output.json");
    assertArrayEquals(expected, Jcs.canonicalize(Json.MAPPER.readTree(input)),
        () -> name + ": " + new String(expected, StandardCharsets.UTF_8));
  }

  @Test
  void everyNumber_printsAsEcmaScriptPrintsIt() throws Exception {
    String[] lines = new String(resource("es6-numbers.csv"), StandardCharsets.US_ASCII).split("\n");
    List<String> wrong = new ArrayList<>();
    for (String line : lines) {
      int comma = line.indexOf(',');
      double d = Double.longBitsToDouble(Long.parseUnsignedLong(line.substring(0, comma), 16));
      String expected = line.substring(comma + 1);
      String got = Jcs.es6(d);
      if (!got.equals(expected)) {
        wrong.add(line + " got " + got);
      }
    }
    assertTrue(lines.length > 8_000, "the vector file has every case: " + lines.length);
    assertEquals(List.of(), wrong);
  }

  @Test
  void integersBeyondTwoToThe53_areRefused_notMerged() throws Exception {
    assertEquals("{\"n\":9007199254740992}", Jcs.canonicalString(Json.MAPPER.readTree("{\"n\":9007199254740992}")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Jcs.canonicalString(Json.MAPPER.readTree("{\"a\":{\"n\":9007199254740993}}")));
    assertTrue(e.getMessage().startsWith("a.n: "), e.getMessage());
  }

  @Test
  void membersSortByUtf16CodeUnits_andWhitespaceGoes() throws Exception {
    // U+1F602 (a surrogate pair, 0xD83D...) sorts before U+FB33 in UTF-16, after it in code points.
    assertEquals("{\"\uD83D\uDE02\":1,\"\uFB33\":2}",
        Jcs.canonicalString(Json.MAPPER.readTree("{ \"\uFB33\" : 2 , \"\uD83D\uDE02\" : 1 }")));
  }
}
