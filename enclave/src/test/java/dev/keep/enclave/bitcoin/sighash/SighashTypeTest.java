package dev.keep.enclave.bitcoin.sighash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SighashTypeTest {

  @Test
  void definedSets_areExactlyTheBipLists() {
    List<Integer> legacy = new ArrayList<>();
    List<Integer> taproot = new ArrayList<>();
    for (int v = 0; v <= 0xff; v++) {
      SighashType type = new SighashType(v);
      if (type.isValidForSegwitV0AndLegacy()) {
        legacy.add(v);
      }
      if (type.isValidForTaproot()) {
        taproot.add(v);
      }
    }
    assertEquals(List.of(0x01, 0x02, 0x03, 0x81, 0x82, 0x83), legacy);
    // BIP-341: "0x00, 0x01, 0x02, 0x03, 0x81, 0x82 or 0x83"
    assertEquals(List.of(0x00, 0x01, 0x02, 0x03, 0x81, 0x82, 0x83), taproot);
  }

  @Test
  void flagsAndBase() {
    assertTrue(SighashType.SINGLE_ANYONECANPAY.anyoneCanPay());
    assertEquals(3, SighashType.SINGLE_ANYONECANPAY.base());
    assertFalse(SighashType.ALL.anyoneCanPay());
    assertEquals(0, SighashType.DEFAULT.base());
    assertTrue(SighashType.DEFAULT.isDefault());
    assertEquals("SIGHASH_NONE|ANYONECANPAY", SighashType.NONE_ANYONECANPAY.toString());
  }

  @Test
  void fromPsbt_takesOneByteValues_andRefusesWiderOnes() {
    assertEquals(SighashType.ALL_ANYONECANPAY, SighashType.of(0x81L));
    assertThrows(IllegalArgumentException.class, () -> SighashType.of(0x101L));
    assertThrows(IllegalArgumentException.class, () -> SighashType.of(-1L));
    assertThrows(IllegalArgumentException.class, () -> new SighashType(256));
  }
}
