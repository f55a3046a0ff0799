package dev.keep.schema.attestation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keep.schema.protocol.EnclaveResponse.PolicyRef;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code user_data} layout is a wire format: verifiers outside this repository recompute it.
 * The pinned values were computed from the layout in the class comment with Python's hashlib.
 */
class KeepUserDataTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] AUDIT = fill(0x11);
  private static final PolicyRef A = new PolicyRef("a", 1, "33".repeat(32));
  private static final PolicyRef B = new PolicyRef("b", 2, "22".repeat(32));

  @Test
  void pinned_twoPolicies_inKeyIdOrder_whateverOrderTheyCome() {
    String expected = "2f3763093227b317480193228342b8cfb2d4e61c767d191c27520eb0ea7eafd4";
    assertEquals(expected, HEX.formatHex(KeepUserData.of(AUDIT, List.of(A, B))));
    assertEquals(expected, HEX.formatHex(KeepUserData.of(AUDIT, List.of(B, A))));
  }

  @Test
  void pinned_noPolicies_stillCommitsToTheAuditKey() {
    assertEquals("604819be6f25ae7776bc50de2cfee60ff2351d865661401f1865551bf874004e",
        HEX.formatHex(KeepUserData.of(AUDIT, List.of())));
    assertNotEquals(HEX.formatHex(KeepUserData.of(AUDIT, List.of())),
        HEX.formatHex(KeepUserData.of(fill(0x12), List.of())));
  }

  @Test
  void anotherVersionOrHash_changesIt() {
    byte[] base = KeepUserData.of(AUDIT, List.of(A));
    assertNotEquals(HEX.formatHex(base), HEX.formatHex(KeepUserData.of(AUDIT, List.of(new PolicyRef("a", 2, A.hash())))));
    assertNotEquals(HEX.formatHex(base),
        HEX.formatHex(KeepUserData.of(AUDIT, List.of(new PolicyRef("a", 1, "34".repeat(32))))));
  }

  @Test
  void anAuditKeyOfTheWrongLength_isRefused() {
    var e = assertThrows(IllegalArgumentException.class, () -> KeepUserData.of(new byte[33], List.of()));
    assertEquals("auditKey: must be 32 bytes (a BIP-340 x-only key)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> KeepUserData.of(null, List.of()));
  }

  private static byte[] fill(int value) {
    byte[] bytes = new byte[32];
    java.util.Arrays.fill(bytes, (byte) value);
    return bytes;
  }
}
