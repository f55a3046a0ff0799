package dev.keep.enclave.psbt;

import static dev.keep.enclave.psbt.PsbtFixtures.filled;
import static dev.keep.enclave.psbt.PsbtFixtures.map;
import static dev.keep.enclave.psbt.PsbtFixtures.pair;
import static dev.keep.enclave.psbt.PsbtFixtures.psbt;
import static dev.keep.enclave.psbt.PsbtFixtures.u32;
import static dev.keep.enclave.psbt.PsbtFixtures.v2Global;
import static dev.keep.enclave.psbt.PsbtFixtures.v2Input;
import static dev.keep.enclave.psbt.PsbtFixtures.v2Output;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.tx.TxOut;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The envelope, the map framing, the text forms and the resource limits. */
class PsbtParserTest {
  private static final byte[] MINIMAL_V2 = psbt(v2Global(), v2Input(), v2Output());

  private static PsbtException rejected(byte[] bytes) {
    return assertThrows(PsbtException.class, () -> Psbt.parse(bytes));
  }

  private static String whereAndField(PsbtException e) {
    return e.where() + ", " + e.field();
  }

  @Test
  void minimalVersionTwoParses() throws PsbtException {
    assertArrayEquals(MINIMAL_V2, Psbt.parse(MINIMAL_V2).serialize());
  }

  @Test
  void sizeLimitIsCheckedBeforeTheMagic() {
    PsbtException e = assertThrows(PsbtException.class, () -> Psbt.parse(new byte[101], 100));
    assertEquals("envelope, size: 101 bytes exceed the limit of 100", e.getMessage());
    PsbtException magic = assertThrows(PsbtException.class, () -> Psbt.parse(new byte[100], 100));
    assertEquals("envelope, magic", whereAndField(magic));
  }

  @Test
  void aPsbtOfCountlessTinyEntriesIsRefusedBeforeItCostsHundredsOfMegabytes() {
    // 200,001 distinct unknown global entries (keytype 0x50 with a 3-byte key), about 1.4 MB.
    byte[][] pairs = new byte[PsbtMap.MAX_ENTRIES + 1][];
    for (int i = 0; i < pairs.length; i++) {
      pairs[i] = PsbtFixtures.pair(0x50, new byte[] {(byte) (i >> 16), (byte) (i >> 8), (byte) i}, new byte[0]);
    }
    PsbtException e = rejected(PsbtFixtures.psbt(PsbtFixtures.map(pairs)));
    assertEquals("global", e.where().toString());
    assertTrue(e.getMessage().endsWith("the PSBT holds more than 200000 entries"), e.getMessage());
  }

  @Test
  void bytesAfterTheLastOutputMapAreRefused() {
    byte[] trailing = Arrays.copyOf(MINIMAL_V2, MINIMAL_V2.length + 1);
    assertEquals("envelope, end", whereAndField(rejected(trailing)));
  }

  @Test
  void aMapWithoutItsSeparatorIsRefused() {
    byte[] cut = Arrays.copyOf(MINIMAL_V2, MINIMAL_V2.length - 1);
    assertEquals("output 0, separator", whereAndField(rejected(cut)));
  }

  @Test
  void versionsOtherThanZeroAndTwoAreRefused() {
    for (int v : new int[] {1, 3, -1}) {
      byte[] bytes =
          psbt(
              map(
                  pair(0x02, u32(2)),
                  pair(0x04, new byte[] {0}),
                  pair(0x05, new byte[] {0}),
                  pair(0xfb, u32(v & 0xffffffffL))));
      PsbtException e = rejected(bytes);
      assertEquals("global, PSBT_GLOBAL_VERSION", whereAndField(e), "version " + v);
    }
  }

  @Test
  void anExplicitVersionZeroIsAccepted() throws PsbtException {
    byte[] v0 = Psbt.createV0(PsbtFixtures.spending()).serialize();
    byte[] unsignedTxPair = Arrays.copyOfRange(v0, 5, v0.length - 5); // the global map's one entry
    byte[] bytes = psbt(map(unsignedTxPair, pair(0xfb, u32(0))), new byte[] {0, 0, 0, 0});
    Psbt parsed = Psbt.parse(bytes);
    assertEquals(0, parsed.version());
    assertArrayEquals(bytes, parsed.serialize());
  }

  @Test
  void keytypesAreCompactSizesAndMustBeMinimal() throws PsbtException {
    // Keytype 0x0100 as fd 00 01: an unknown field that round trips.
    byte[] wide = new byte[] {0x04, (byte) 0xfd, 0x00, 0x01, 0x07, 0x01, 0x09};
    byte[] ok = psbt(v2Global(), v2Input(wide), v2Output());
    assertArrayEquals(ok, Psbt.parse(ok).serialize());
    // Keytype 0x02 (PARTIAL_SIG) as fd 02 00 would dodge the known-field checks: refused.
    byte[] sneaky = new byte[] {0x03, (byte) 0xfd, 0x02, 0x00, 0x01, 0x09};
    PsbtException e = rejected(psbt(v2Global(), v2Input(sneaky), v2Output()));
    assertEquals("input 0, key", whereAndField(e));
    assertTrue(e.rule().contains("not minimally encoded"), e.rule());
  }

  @Test
  void lengthsMustBeMinimalCompactSizes() {
    // A 1-byte value whose length is written as fd 01 00.
    byte[] pairWithWideLength = new byte[] {0x01, 0x1f, (byte) 0xfd, 0x01, 0x00, 0x05};
    PsbtException e = rejected(psbt(v2Global(), v2Input(pairWithWideLength), v2Output()));
    assertEquals("input 0, unknown keytype 0x1f", whereAndField(e));
  }

  @Test
  void duplicateKeysAreRefusedButTheSameKeyInTwoMapsIsFine() throws PsbtException {
    byte[] unknown = pair(0x1f, new byte[] {1}, new byte[] {2});
    PsbtException e = rejected(psbt(v2Global(), v2Input(unknown, unknown), v2Output()));
    assertEquals("input 0, unknown keytype 0x1f", whereAndField(e));
    assertEquals("duplicate key with key data 01 (a map must not repeat a key)", e.rule());
    byte[] twice = psbt(v2Global(), v2Input(unknown), v2Output(unknown));
    assertArrayEquals(twice, Psbt.parse(twice).serialize());
  }

  @Test
  void hugeInputCountIsRefusedWithoutAllocating() {
    byte[] count = {(byte) 0xff, 0, 0, 0, 0, 0, 1, 0, 0}; // 2^40
    byte[] bytes =
        psbt(
            map(
                pair(0x02, u32(2)),
                pair(0x04, count),
                pair(0x05, new byte[] {0}),
                pair(0xfb, u32(2))));
    PsbtException e = rejected(bytes);
    assertEquals("global, PSBT_GLOBAL_INPUT_COUNT", whereAndField(e));
    assertEquals("1099511627776 inputs is more than a transaction can have (24390)", e.rule());
  }

  @Test
  void moreMapsDeclaredThanBytesLeftIsRefusedUpFront() {
    byte[] bytes =
        psbt(
            map(
                pair(0x02, u32(2)),
                pair(0x04, new byte[] {100}),
                pair(0x05, new byte[] {0}),
                pair(0xfb, u32(2))));
    PsbtException e = rejected(bytes);
    assertEquals("global, PSBT_GLOBAL_INPUT_COUNT", whereAndField(e));
    assertTrue(e.rule().startsWith("PSBT missing inputs"), e.rule());
  }

  @Test
  void missingOutputMapsNameTheFirstMissingOne() {
    byte[] twoOutputs =
        map(
            pair(0x02, u32(2)),
            pair(0x04, new byte[] {1}),
            pair(0x05, new byte[] {2}),
            pair(0xfb, u32(2)));
    byte[] bytes = psbt(twoOutputs, v2Input(), v2Output());
    PsbtException e = rejected(bytes);
    assertEquals("output 1, map", whereAndField(e));
  }

  @Test
  void base64IsStrict() throws PsbtException {
    String b64 = java.util.Base64.getEncoder().encodeToString(MINIMAL_V2);
    assertArrayEquals(MINIMAL_V2, Psbt.decodeBase64("  \n" + b64 + "\r\n").serialize());
    String unpadded = b64.replace("=", "");
    if (!unpadded.equals(b64)) {
      assertEquals(
          "envelope, base64",
          whereAndField(assertThrows(PsbtException.class, () -> Psbt.decodeBase64(unpadded))));
    }
    assertThrows(
        PsbtException.class,
        () -> Psbt.decodeBase64(b64.substring(0, 10) + "*" + b64.substring(11)));
    assertThrows(
        PsbtException.class,
        () -> Psbt.decodeBase64(b64.substring(0, 10) + "\n" + b64.substring(10)));
    // "cHNidP8=" is psbt 0xff; "cHNidP9=" decodes to the same bytes with unused bits set.
    assertEquals(
        "envelope, base64",
        whereAndField(assertThrows(PsbtException.class, () -> Psbt.decodeBase64("cHNidP9="))));
    assertEquals(
        "global, separator",
        whereAndField(assertThrows(PsbtException.class, () -> Psbt.decodeBase64("cHNidP8="))));
  }

  @Test
  void decodeFileTakesBinaryOrBase64Text() throws PsbtException {
    assertArrayEquals(MINIMAL_V2, Psbt.decodeFile(MINIMAL_V2).serialize());
    byte[] text =
        (java.util.Base64.getEncoder().encodeToString(MINIMAL_V2) + "\n")
            .getBytes(StandardCharsets.US_ASCII);
    assertArrayEquals(MINIMAL_V2, Psbt.decodeFile(text).serialize());
    byte[] notAscii = {(byte) 0xc3, (byte) 0xa9};
    assertEquals(
        "envelope, base64",
        whereAndField(assertThrows(PsbtException.class, () -> Psbt.decodeFile(notAscii))));
  }

  @Test
  void exceptionMessagesReadLocationFieldRule() {
    PsbtException e =
        new PsbtException(
            PsbtLocation.input(2),
            "PSBT_IN_WITNESS_UTXO",
            "value is 30 bytes but must hold one output");
    assertEquals(
        "input 2, PSBT_IN_WITNESS_UTXO: value is 30 bytes but must hold one output",
        e.getMessage());
    assertEquals("global", PsbtLocation.GLOBAL.toString());
    assertEquals("output 1", PsbtLocation.output(1).toString());
    assertThrows(IllegalArgumentException.class, () -> PsbtLocation.input(-1));
  }

  @Test
  void witnessUtxoMustHoldExactlyOneOutput() {
    byte[] output = new TxOut(1000, Script.fromHex("51")).serialize();
    byte[] trailing = Arrays.copyOf(output, output.length + 1);
    PsbtException e = rejected(PsbtFixtures.v2WithInputPairs(pair(0x01, trailing)));
    assertEquals("input 0, PSBT_IN_WITNESS_UTXO", whereAndField(e));
    assertTrue(e.rule().startsWith("value is 11 bytes but must hold exactly one output"), e.rule());
  }

  @Test
  void fixedSizeValuesMustHaveExactlyTheirSize() {
    assertEquals(
        "input 0, PSBT_IN_SIGHASH_TYPE",
        whereAndField(rejected(PsbtFixtures.v2WithInputPairs(pair(0x03, new byte[] {1, 0, 0})))));
    assertEquals(
        "input 0, PSBT_IN_SEQUENCE",
        whereAndField(rejected(PsbtFixtures.v2WithInputPairs(pair(0x10, new byte[5])))));
    assertEquals(
        "input 0, PSBT_IN_TAP_MERKLE_ROOT",
        whereAndField(rejected(PsbtFixtures.v2WithInputPairs(pair(0x18, filled(31, 1))))));
    assertEquals(
        "global, PSBT_GLOBAL_TX_MODIFIABLE",
        whereAndField(rejected(psbt(v2Global(pair(0x06, new byte[2])), v2Input(), v2Output()))));
    assertEquals(
        "global, PSBT_GLOBAL_INPUT_COUNT",
        whereAndField(
            rejected(
                psbt(
                    map(
                        pair(0x02, u32(2)),
                        pair(0x04, new byte[] {1, 0}),
                        pair(0x05, new byte[] {1}),
                        pair(0xfb, u32(2))),
                    v2Input(),
                    v2Output()))));
  }
}
