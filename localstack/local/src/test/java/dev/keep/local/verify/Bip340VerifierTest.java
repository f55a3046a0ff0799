package dev.keep.local.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keep.schema.encoding.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every BIP-340 vector (including the 0, 1, 17 and 100-byte messages) through the verifier. */
class Bip340VerifierTest {
  @Test
  void allNineteenVectors() throws IOException {
    List<String> lines;
    try (InputStream in = getClass().getResourceAsStream("/vectors/bip340-test-vectors.csv")) {
      lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().skip(1).toList();
    }
    assertEquals(19, lines.size());
    List<String> failures = new ArrayList<>();
    for (String line : lines) {
      String[] f = line.split(",", -1);
      boolean expected = f[6].equals("TRUE");
      boolean got = Bip340Verifier.verify(Hex.decode("pk", f[2]), Hex.decode("msg", f[4]), Hex.decode("sig", f[5]));
      if (got != expected) {
        failures.add("vector " + f[0] + " (" + f[7] + "): verify said " + got);
      }
    }
    assertEquals(List.of(), failures);
  }
}
