package dev.keep.schema.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8Test {

  @Test
  void aLoneLatin1Byte_isRefusedAtItsOffset_notReplaced() {
    // "caf" then 0xE9: é in Latin-1, a truncated sequence in UTF-8. new String(..., UTF_8) gives "caf\uFFFD".
    byte[] bytes = {'c', 'a', 'f', (byte) 0xE9};
    Utf8.MalformedException e = assertThrows(Utf8.MalformedException.class, () -> Utf8.decode(bytes, "body"));
    assertEquals(3, e.offset());
    assertEquals("body: not valid UTF-8 at byte offset 3 (byte 0xE9)", e.getMessage());
  }

  @Test
  void overlongAndSurrogateEncodings_areRefused() {
    byte[][] bad = {
      {(byte) 0xC0, (byte) 0xAF}, // overlong '/'
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // U+D800 encoded (CESU-8)
      {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
      {'o', 'k', (byte) 0x80}, // a continuation byte alone
    };
    for (byte[] b : bad) {
      assertThrows(Utf8.MalformedException.class, () -> Utf8.decode(b, "x"));
    }
  }

  @Test
  void validTextRoundTrips() throws Exception {
    String text = "café € 😀 \u0000";
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    assertEquals(text, Utf8.decode(bytes, "x"));
    assertArrayEquals(bytes, Utf8.encode(text, "x"));
    assertEquals(bytes.length, Utf8.length(text, "x"));
  }

  @Test
  void lengthCountsBytes_notCharacters() throws Exception {
    assertEquals(3 * 1000, Utf8.length("€".repeat(1000), "x"));
  }

  @Test
  void anUnpairedSurrogate_hasNoUtf8Form() {
    assertEquals(3, Utf8.firstUnpairedSurrogate("caf\ud800"));
    assertEquals(0, Utf8.firstUnpairedSurrogate("\udc00a"));
    assertEquals(-1, Utf8.firstUnpairedSurrogate("😀"));
    Utf8.MalformedException e = assertThrows(Utf8.MalformedException.class, () -> Utf8.encode("ab\ud800", "body"));
    assertEquals(2, e.offset());
    assertThrows(Utf8.MalformedException.class, () -> Utf8.length("\ud800", "x"));
  }
}
