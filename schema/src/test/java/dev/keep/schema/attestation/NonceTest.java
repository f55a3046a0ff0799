package dev.keep.schema.attestation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class NonceTest {
  @Test
  void printsShortValuesInFull_andLongOnesShortened() {
    assertEquals("(empty)", Nonce.of(new byte[0]).toString());
    assertEquals("0a0b", Nonce.of(new byte[] {10, 11}).toString());
    byte[] longer = new byte[33];
    longer[32] = (byte) 0xff;
    assertEquals("00000000000000000000000000000000...000000ff (33 bytes)", Nonce.of(longer).toString());
  }

  @Test
  void comparesByContent_andHasALimit() {
    assertEquals(Nonce.of(new byte[] {1}), Nonce.of(new byte[] {1}));
    assertNotEquals(Nonce.of(new byte[] {1}), Nonce.of(new byte[] {1, 0}));
    assertThrows(IllegalArgumentException.class, () -> Nonce.of(new byte[1025]));
  }
}
