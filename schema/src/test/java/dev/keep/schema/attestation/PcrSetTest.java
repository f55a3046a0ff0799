package dev.keep.schema.attestation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PcrSetTest {
  private static final Pcr A = Pcr.fromHex("a1".repeat(48));

  @Test
  void pcr_printsAndComparesAsHex() {
    assertEquals("a1".repeat(48), A.toString());
    assertEquals(A, Pcr.fromHex("A1".repeat(48)));
    assertEquals(A, Pcr.of(A.bytes()));
    assertTrue(Pcr.ZERO.isZero());
    assertFalse(A.isZero());
  }

  @Test
  void pcr_refusesOtherLengthsAndNonHex() {
    assertEquals("a PCR is 48 bytes, not 32", assertThrows(IllegalArgumentException.class, () -> Pcr.of(new byte[32])).getMessage());
    assertEquals("a PCR is 96 hex digits, not 97", assertThrows(IllegalArgumentException.class, () -> Pcr.fromHex("0".repeat(97))).getMessage());
    // Character.digit would take the fullwidth digit; a PCR is ASCII hex only.
    assertThrows(IllegalArgumentException.class, () -> Pcr.fromHex("\uff10" + "0".repeat(95)));
    assertThrows(IllegalArgumentException.class, () -> Pcr.fromHex("g" + "0".repeat(95)));
  }

  @Test
  void pcrSet_indexesAreZeroToThirtyOne_andItIsNotEmpty() {
    assertThrows(IllegalArgumentException.class, () -> PcrSet.of(Map.of()));
    assertThrows(IllegalArgumentException.class, () -> PcrSet.of(Map.of(32, A)));
    assertThrows(IllegalArgumentException.class, () -> PcrSet.of(Map.of(-1, A)));
    assertEquals(A, PcrSet.of(Map.of(31, A)).get(31).orElseThrow());
  }

  @Test
  void pcrSet_isDebugMode_onlyWhenPcr0To2AreAllZero() {
    assertTrue(PcrSet.of(Pcr.ZERO, Pcr.ZERO, Pcr.ZERO).isDebugMode());
    assertFalse(PcrSet.of(Pcr.ZERO, Pcr.ZERO, A).isDebugMode());
    assertFalse(PcrSet.of(Map.of(0, Pcr.ZERO, 1, Pcr.ZERO)).isDebugMode());
  }

  @Test
  void pcrSet_printsInIndexOrder() {
    assertEquals("{PCR1=" + A.hex() + ", PCR2=" + Pcr.ZERO.hex() + "}", PcrSet.of(Map.of(2, Pcr.ZERO, 1, A)).toString());
  }

  @Test
  void pcrPolicy_withNoSet_isMisuse() {
    assertThrows(IllegalArgumentException.class, () -> PcrPolicy.anyOf());
  }
}
