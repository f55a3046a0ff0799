package dev.keep.enclave.bitcoin.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keep.schema.encoding.Hex;
import org.junit.jupiter.api.Test;

class ByteReaderTest {
  /**
   * Found by PsbtFuzzTest: count × item size overflowed to a negative bound and a negative count.
   */
  @Test
  void hugeCountIsRefusedWithoutOverflow() {
    ByteReader r = new ByteReader(Hex.decode("count", "ff0000000000000004" + "00".repeat(50)));
    TxFormatException e =
        assertThrows(TxFormatException.class, () -> r.readCount("input count", 41));
    assertEquals(
        "input count: count 288230376151711744 cannot fit in the 50 bytes left", e.getMessage());
  }

  @Test
  void countThatFitsIsReturned() throws TxFormatException {
    ByteReader r = new ByteReader(Hex.decode("count", "02" + "00".repeat(82)));
    assertEquals(2, r.readCount("input count", 41));
  }

  @Test
  void countOneItemTooManyIsRefused() {
    ByteReader r = new ByteReader(Hex.decode("count", "03" + "00".repeat(82)));
    assertThrows(TxFormatException.class, () -> r.readCount("input count", 41));
  }
}
