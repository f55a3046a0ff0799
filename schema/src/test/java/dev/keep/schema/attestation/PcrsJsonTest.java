package dev.keep.schema.attestation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcrsJsonTest {
  private static final PcrSet EXPECTED =
      PcrSet.of(Pcr.fromHex("a1".repeat(48)), Pcr.fromHex("b2".repeat(48)), Pcr.fromHex("c3".repeat(48)));

  private static Path resource(String name) {
    try {
      return Path.of(PcrsJsonTest.class.getResource("/pcrs/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void nitroCliBuildEnclaveOutput_isRead() throws Exception {
    assertEquals(EXPECTED, PcrsJson.read(resource("build-enclave.json")));
  }

  @Test
  void flatObject_isRead() throws Exception {
    assertEquals(EXPECTED, PcrsJson.read(resource("flat.json")));
  }

  /** Every case of pcrs/cases.json: the PCRs it must give or the error it must raise. */
  @Test
  void cases() throws IOException {
    JsonNode cases = new ObjectMapper().readTree(resource("cases.json").toFile());
    List<String> failures = new ArrayList<>();
    for (JsonNode c : cases) {
      String name = c.get("name").asText();
      try {
        PcrSet pcrs = PcrsJson.parse(c.get("json").asText());
        if (c.has("error")) {
          failures.add(name + ": read " + pcrs + ", expected error " + c.get("error").asText());
        } else {
          Map<Integer, Pcr> expected = new TreeMap<>();
          c.get("pcrs").properties().forEach(e -> expected.put(Integer.parseInt(e.getKey()), Pcr.fromHex(e.getValue().asText())));
          if (!pcrs.equals(PcrSet.of(expected))) {
            failures.add(name + ": read " + pcrs + ", expected " + expected);
          }
        }
      } catch (PcrsJson.InvalidPcrsJson e) {
        if (!c.has("error") || !e.getMessage().equals(c.get("error").asText())) {
          failures.add(name + ": error \"" + e.getMessage() + "\", expected " + c.get(c.has("error") ? "error" : "pcrs"));
        }
      }
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void fileErrors_nameTheFile(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("pcrs.json"), "{\"PCR0\": \"00\"}");

    PcrsJson.InvalidPcrsJson e = assertThrows(PcrsJson.InvalidPcrsJson.class, () -> PcrsJson.read(file));
    assertEquals(file + ": PCR0: a PCR is 96 hex digits, not 2", e.getMessage());
  }
}
