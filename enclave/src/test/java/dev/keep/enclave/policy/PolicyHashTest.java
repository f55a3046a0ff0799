package dev.keep.enclave.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keep.schema.encoding.Hex;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

class PolicyHashTest {
  private static final String COMPACT =
      "{\"version\":2,\"rule\":{\"id\":\"root\",\"all\":[{\"id\":\"m\",\"type\":\"max_amount\",\"sats\":5},"
          + "{\"id\":\"n\",\"type\":\"nostr_event_kinds\",\"kinds\":[7,1]}]},"
          + "\"admins\":{\"threshold\":1,\"keys\":{\"b\":\""
          + PolicyParseTest.G2
          + "\",\"a\":\""
          + PolicyParseTest.G1
          + "\"}}}";

  /** The same document with keys in another order and whitespace everywhere. */
  private static final String REORDERED =
      """
      {
        "admins" : { "keys" : { "a" : "%s", "b" : "%s" }, "threshold" : 1 },
        "rule" : {
          "all" : [
            { "sats" : 5, "type" : "max_amount", "id" : "m" },
            { "kinds" : [ 7, 1 ], "id" : "n", "type" : "nostr_event_kinds" }
          ],
          "id" : "root"
        },
        "version" : 2
      }
      """
          .formatted(PolicyParseTest.G1, PolicyParseTest.G2);

  @Test
  void canonicalJsonSortsKeysAndDropsWhitespace() {
    assertEquals(
        "{\"admins\":{\"keys\":{\"a\":\""
            + PolicyParseTest.G1
            + "\",\"b\":\""
            + PolicyParseTest.G2
            + "\"},\"threshold\":1},\"rule\":{\"all\":[{\"id\":\"m\",\"sats\":5,\"type\":\"max_amount\"},"
            + "{\"id\":\"n\",\"kinds\":[7,1],\"type\":\"nostr_event_kinds\"}],\"id\":\"root\"},\"version\":2}",
        PolicyFixtures.policy(COMPACT).canonicalJson());
  }

  @Test
  void hashIsSha256OfTheCanonicalJson() throws Exception {
    Policy p = PolicyFixtures.policy(COMPACT);
    byte[] expected =
        MessageDigest.getInstance("SHA-256")
            .digest(p.canonicalJson().getBytes(StandardCharsets.UTF_8));
    assertEquals(Hex.encode(expected), p.hash().toHex());
    assertEquals(PolicyHash.of(expected), p.hash());
  }

  @Test
  void hashIsStableUnderKeyOrderAndWhitespace() {
    Policy a = PolicyFixtures.policy(COMPACT);
    Policy b = PolicyFixtures.policy(REORDERED);
    assertEquals(a.canonicalJson(), b.canonicalJson());
    assertEquals(a.hash(), b.hash());
    assertEquals(a, b);
  }

  @Test
  void hashDiffersForADifferentRule() {
    PolicyHash base = PolicyFixtures.policy(COMPACT).hash();
    for (String changed :
        new String[] {
          COMPACT.replace("\"sats\":5", "\"sats\":6"),
          COMPACT.replace("\"version\":2", "\"version\":3"),
          COMPACT.replace("\"id\":\"m\"", "\"id\":\"m2\""),
          COMPACT.replace("[7,1]", "[1,7]"), // list order is kept as written
          COMPACT.replace("\"threshold\":1", "\"threshold\":2"),
        }) {
      assertNotEquals(base, PolicyFixtures.policy(changed).hash(), changed);
    }
  }

  @Test
  void numbersAreWrittenAsParsed() {
    Policy p =
        PolicyFixtures.rule("{\"id\":\"n\",\"type\":\"nostr_event_kinds\",\"kinds\":[-0, 1]}");
    assertEquals(
        "{\"rule\":{\"id\":\"n\",\"kinds\":[0,1],\"type\":\"nostr_event_kinds\"},\"version\":1}",
        p.canonicalJson());
  }

  @Test
  void aHashIs32Bytes() {
    assertThrows(IllegalArgumentException.class, () -> PolicyHash.of(new byte[31]));
    assertEquals(64, PolicyFixtures.policy(COMPACT).hash().toString().length());
  }
}
