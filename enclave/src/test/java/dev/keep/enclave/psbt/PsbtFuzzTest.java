package dev.keep.enclave.psbt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.keep.enclave.bitcoin.tx.ByteWriter;
import dev.keep.schema.encoding.Hex;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property tests of the parser on untrusted bytes, with a fixed seed printed on failure: random
 * byte strings and mutations of every valid vector either parse or throw {@link PsbtException},
 * never anything else, and whatever parses serializes back to the same bytes and parses again.
 */
class PsbtFuzzTest {
  private static final long SEED = 0x5053_4254_0174L;
  private static final int RANDOM_CASES = 20_000;
  private static final int MUTATIONS_PER_VECTOR = 20_000;
  private static final byte[] MAGIC = {0x70, 0x73, 0x62, 0x74, (byte) 0xff};

  @Test
  void randomBytesOnlyEverThrowPsbtException() {
    Random rnd = new Random(SEED);
    int parsed = 0;
    for (int i = 0; i < RANDOM_CASES; i++) {
      byte[] bytes;
      switch (i % 3) {
        case 0 -> { // raw noise
          bytes = new byte[rnd.nextInt(i % 30 == 0 ? 2000 : 120)];
          rnd.nextBytes(bytes);
        }
        case 1 -> { // noise behind the magic
          bytes = new byte[MAGIC.length + rnd.nextInt(200)];
          rnd.nextBytes(bytes);
          System.arraycopy(MAGIC, 0, bytes, 0, MAGIC.length);
        }
        default -> bytes = framedNoise(rnd); // well-framed maps of random fields
      }
      parsed += check(bytes, "random case " + i) ? 1 : 0;
    }
    System.out.println(
        "PsbtFuzzTest: " + parsed + " of " + RANDOM_CASES + " random strings parsed");
  }

  /**
   * A version 2 PSBT whose framing is right (lengths, separators, the required fields) and whose
   * other entries are random keytypes with random key data and values, so the field decoders, not
   * the framing, see the noise.
   */
  private static byte[] framedNoise(Random rnd) {
    ByteWriter w = new ByteWriter();
    w.bytes(MAGIC);
    int inputs = rnd.nextInt(3);
    int outputs = rnd.nextInt(3);
    pair(w, 0x02, new byte[0], new byte[] {2, 0, 0, 0});
    pair(w, 0x04, new byte[0], new byte[] {(byte) inputs});
    pair(w, 0x05, new byte[0], new byte[] {(byte) outputs});
    pair(w, 0xfb, new byte[0], new byte[] {2, 0, 0, 0});
    randomPairs(w, rnd, new int[] {0x01, 0x03, 0x06, 0xfc, 0x07});
    w.u8(0);
    for (int i = 0; i < inputs; i++) {
      byte[] txid = new byte[32];
      rnd.nextBytes(txid);
      pair(w, 0x0e, new byte[0], txid);
      pair(w, 0x0f, new byte[0], new byte[] {(byte) rnd.nextInt(3), 0, 0, 0});
      randomPairs(
          w,
          rnd,
          new int[] {
            0x00, 0x01, 0x02, 0x03, 0x06, 0x08, 0x0a, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16,
            0x17, 0x18, 0xfc, 0x1f
          });
      w.u8(0);
    }
    for (int o = 0; o < outputs; o++) {
      pair(w, 0x03, new byte[0], new byte[8]);
      pair(w, 0x04, new byte[0], new byte[] {0x51});
      randomPairs(w, rnd, new int[] {0x00, 0x02, 0x05, 0x06, 0x07, 0xfc, 0x09});
      w.u8(0);
    }
    return w.toByteArray();
  }

  private static void randomPairs(ByteWriter w, Random rnd, int[] types) {
    int n = rnd.nextInt(3);
    for (int k = 0; k < n; k++) {
      int type = types[rnd.nextInt(types.length)];
      int[] sizes = {0, 1, 4, 32, 33, 64, 65, 78, rnd.nextInt(100)};
      byte[] keyData = new byte[sizes[rnd.nextInt(sizes.length)]];
      byte[] value = new byte[sizes[rnd.nextInt(sizes.length)]];
      rnd.nextBytes(keyData);
      rnd.nextBytes(value);
      if (rnd.nextBoolean()) {
        keyData = new byte[0];
      }
      pair(w, type, keyData, value);
    }
  }

  private static void pair(ByteWriter w, int type, byte[] keyData, byte[] value) {
    w.compactSize(ByteWriter.compactSizeLength(type) + keyData.length)
        .compactSize(type)
        .bytes(keyData);
    w.varBytes(value);
  }

  @Test
  void mutationsOfValidVectorsOnlyEverThrowPsbtException() {
    List<PsbtVectors.Case> vectors = PsbtVectors.allValid();
    assertEquals(44, vectors.size());
    int parsed = 0;
    for (int v = 0; v < vectors.size(); v++) {
      byte[] original = vectors.get(v).bytes();
      Random rnd = new Random(SEED + v);
      for (int i = 0; i < MUTATIONS_PER_VECTOR; i++) {
        byte[] mutated = original;
        int rounds = 1 + rnd.nextInt(3);
        for (int r = 0; r < rounds; r++) {
          mutated = mutate(mutated, rnd);
        }
        parsed += check(mutated, "vector " + v + " (" + vectors.get(v) + ") mutation " + i) ? 1 : 0;
      }
    }
    System.out.println(
        "PsbtFuzzTest: "
            + parsed
            + " of "
            + vectors.size() * MUTATIONS_PER_VECTOR
            + " mutations parsed");
  }

  /** True if {@code bytes} parsed; fails the test on any exception other than PsbtException. */
  private static boolean check(byte[] bytes, String label) {
    try {
      Psbt psbt = Psbt.parse(bytes);
      byte[] again = psbt.serialize();
      if (!Arrays.equals(bytes, again)) {
        fail(failure(label, bytes) + ": serialize() differs: " + Hex.encode(again));
      }
      if (!Arrays.equals(again, Psbt.parse(again).serialize())) {
        fail(failure(label, bytes) + ": re-parse does not round trip");
      }
      exercise(psbt);
      return true;
    } catch (PsbtException expected) {
      if (expected.where() == null || expected.field() == null || expected.rule() == null) {
        fail(failure(label, bytes) + ": exception without location, field or rule");
      }
      return false;
    } catch (Throwable t) {
      throw new AssertionError(failure(label, bytes) + ": threw " + t, t);
    }
  }

  /** The typed views must be usable on anything that parsed. */
  private static void exercise(Psbt psbt) {
    psbt.computedLockTime();
    if (psbt.computedLockTime().isPresent()) {
      psbt.unsignedTx().txid();
    }
    psbt.globalXpubs();
    for (PsbtInput in : psbt.inputs()) {
      in.partialSigs().forEach(PartialSig::compressedKey);
      in.finalScriptWitness();
      in.tapKeySig();
    }
    for (PsbtOutput out : psbt.outputs()) {
      out.tapLeaves();
      out.txOut();
    }
  }

  private static String failure(String label, byte[] bytes) {
    return "seed " + SEED + ", " + label + ", input " + Hex.encode(bytes);
  }

  /**
   * One random edit: bit flips, truncation, insertion, deletion, length-like byte changes, splices.
   */
  static byte[] mutate(byte[] in, Random rnd) {
    if (in.length == 0) {
      return new byte[] {(byte) rnd.nextInt(256)};
    }
    int at = rnd.nextInt(in.length);
    byte[] out;
    switch (rnd.nextInt(8)) {
      case 0 -> { // flip a bit
        out = in.clone();
        out[at] ^= (byte) (1 << rnd.nextInt(8));
      }
      case 1 -> out = Arrays.copyOf(in, at); // truncate
      case 2 -> { // insert a byte
        out = new byte[in.length + 1];
        System.arraycopy(in, 0, out, 0, at);
        out[at] = (byte) rnd.nextInt(256);
        System.arraycopy(in, at, out, at + 1, in.length - at);
      }
      case 3 -> { // delete a run of bytes
        int n = Math.min(in.length - at, 1 + rnd.nextInt(4));
        out = new byte[in.length - n];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(in, at + n, out, at, in.length - at - n);
      }
      case 4 -> { // nudge a byte, as a length field off by one
        out = in.clone();
        out[at] += (byte) (rnd.nextBoolean() ? 1 : -1);
      }
      case 5 -> { // a CompactSize marker or an extreme value
        out = in.clone();
        out[at] = (byte) new int[] {0x00, 0xfc, 0xfd, 0xfe, 0xff, 0x20, 0x41, 0x80}[rnd.nextInt(8)];
      }
      case 6 -> { // duplicate a slice in place (repeats keys and maps)
        int n = Math.min(in.length - at, 1 + rnd.nextInt(80));
        out = new byte[in.length + n];
        System.arraycopy(in, 0, out, 0, at + n);
        System.arraycopy(in, at, out, at + n, in.length - at);
      }
      default -> { // overwrite a random byte
        out = in.clone();
        out[at] = (byte) rnd.nextInt(256);
      }
    }
    return out;
  }
}
