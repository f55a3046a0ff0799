package dev.keep.schema.encoding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EchoTest {

  @Test
  void longInputIsCut_andSaysHowMuchWasLeftOut() {
    assertEquals("a".repeat(64) + "...(999936 more characters)", Echo.of("a".repeat(1_000_000)));
  }

  @Test
  void controlAndNonAsciiCharactersBecomeQuestionMarks() {
    assertEquals("x?y??z", Echo.of("x\u001by\u00e9\nz"));
  }

  @Test
  void shortPrintableInputIsKept() {
    assertEquals("0b5e2c1a-6f1e-4d2a-9d1c-3f0e7b1a2c4d", Echo.of("0b5e2c1a-6f1e-4d2a-9d1c-3f0e7b1a2c4d"));
  }
}
