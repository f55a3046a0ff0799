package dev.keep.enclave.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.enclave.keys.Network;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad policy documents from rejections.json: each error names the JSON path and the rule. */
class PolicyRejectionsTest {

  @Test
  void everyBadDocumentIsRefusedWithItsMessage() {
    JsonNode fixture = PolicyFixtures.read("rejections.json");
    List<String> failures = new ArrayList<>();
    int run = 0;
    for (JsonNode c : fixture.get("cases")) {
      run++;
      String name = c.get("name").textValue();
      String expected = c.get("error").textValue();
      Network network =
          c.has("network") ? Network.fromWireName(c.get("network").textValue()) : Network.TESTNET;
      try {
        Policy.parse(text(c), network);
        failures.add(name + ": accepted");
      } catch (PolicyException e) {
        if (!e.getMessage().equals(expected)) {
          failures.add(name + ": \"" + e.getMessage() + "\", expected \"" + expected + "\"");
        } else if (!expected.equals(e.path() + ": " + e.rule())) {
          failures.add(name + ": path " + e.path() + ", rule " + e.rule());
        }
      } catch (RuntimeException e) {
        failures.add(name + ": " + e);
      }
    }
    assertEquals(89, run, "every case in the fixture ran");
    assertEquals(List.of(), failures);
  }

  private static String text(JsonNode c) {
    if (c.has("text")) {
      return c.get("text").textValue();
    }
    return c.has("policy")
        ? c.get("policy").toString()
        : "{\"version\":1,\"rule\":" + c.get("rule") + "}";
  }
}
