package dev.keep.emulators.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ciphertext blob layout and the canonical encryption context, byte for byte. */
class CiphertextFormatTest {
  private static final String KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";

  @Test
  void blobLayoutIsVersionKeyIdNonceSealed() {
    byte[] nonce = new byte[12];
    Arrays.fill(nonce, (byte) 0x11);
    byte[] sealed = new byte[20];
    Arrays.fill(sealed, (byte) 0x22);

    byte[] blob = new CiphertextBlob(KEY_ID, nonce, sealed).encode();

    assertEquals(
        "01"
            + "24"
            + HexFormat.of().formatHex(KEY_ID.getBytes(StandardCharsets.US_ASCII))
            + "11".repeat(12)
            + "22".repeat(20),
        HexFormat.of().formatHex(blob));
    CiphertextBlob decoded = CiphertextBlob.decode(blob);
    assertEquals(KEY_ID, decoded.keyId());
    assertArrayEquals(nonce, decoded.nonce());
    assertArrayEquals(sealed, decoded.sealed());
  }

  @Test
  void malformedBlobsAreInvalidCiphertextWithoutDetail() {
    byte[] good = new CiphertextBlob(KEY_ID, new byte[12], new byte[16]).encode();
    byte[] wrongVersion = good.clone();
    wrongVersion[0] = 2;
    byte[] emptyId = {1, 0, 0, 0};

    for (byte[] bad :
        new byte[][] {{}, {1}, wrongVersion, emptyId, Arrays.copyOf(good, good.length - 1)}) {
      KmsException e = assertThrows(KmsException.class, () -> CiphertextBlob.decode(bad));
      assertEquals(KmsError.INVALID_CIPHERTEXT, e.error());
      assertNull(e.getMessage());
    }
  }

  @Test
  void canonicalContextIsLengthPrefixedAndSorted() {
    assertEquals(
        "00000002" + "00000001" + "61" + "00000001" + "31" + "00000001" + "62" + "00000000",
        HexFormat.of().formatHex(EncryptionContext.of(Map.of("b", "", "a", "1")).canonicalBytes()));
    assertEquals("00000000", HexFormat.of().formatHex(EncryptionContext.EMPTY.canonicalBytes()));
  }

  @Test
  void canonicalContextIgnoresOrderButNotBoundaries() {
    Map<String, String> forward = new LinkedHashMap<>();
    forward.put("x", "1");
    forward.put("y", "2");
    Map<String, String> backward = new LinkedHashMap<>();
    backward.put("y", "2");
    backward.put("x", "1");
    assertArrayEquals(
        EncryptionContext.of(forward).canonicalBytes(),
        EncryptionContext.of(backward).canonicalBytes());

    assertFalse(
        Arrays.equals(
            EncryptionContext.of(Map.of("a", "bc")).canonicalBytes(),
            EncryptionContext.of(Map.of("ab", "c")).canonicalBytes()));
  }

  @Test
  void keyToStringHidesTheMaterial() {
    KeyRegistry keys =
        new KeyRegistry(
            "us-east-1",
            "000000000000",
            java.time.Clock.systemUTC(),
            new java.security.SecureRandom(),
            new MemoryKeyStore());
    KmsKey key = keys.create("", KeyPolicy.parse(DefaultKeyPolicy.forAccount("000000000000")));
    String material = HexFormat.of().formatHex(key.material().getEncoded());

    assertFalse(key.toString().contains(material));
    assertFalse(key.toString().toLowerCase(java.util.Locale.ROOT).contains("material"));
  }
}
