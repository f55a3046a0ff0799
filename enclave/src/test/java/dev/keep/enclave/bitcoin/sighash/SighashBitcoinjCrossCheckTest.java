package dev.keep.enclave.bitcoin.sighash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.tx.OutPoint;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxIn;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.bitcoin.tx.Txid;
import dev.keep.schema.encoding.Hex;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.bitcoinj.base.Coin;
import org.junit.jupiter.api.Test;

/**
 * Legacy and BIP-143 sighashes against bitcoinj 0.17.1's {@code Transaction.hashForSignature} and
 * {@code hashForWitnessSignature}, on 200 random transactions (every input, a random defined hash
 * type each, random well-formed scriptCodes that may hold OP_CODESEPARATOR). Legacy SIGHASH_SINGLE
 * without a matching output is left out of the comparison, because bitcoinj returns the constant 1
 * there and Keep refuses; the test checks the refusal instead. The seed is printed on failure.
 */
class SighashBitcoinjCrossCheckTest {
  private static final long SEED = 0x5167_4a54L;
  private static final int TRANSACTIONS = 200;
  private static final List<SighashType> DEFINED = List.of(SighashType.ALL, SighashType.NONE,
      SighashType.SINGLE, SighashType.ALL_ANYONECANPAY, SighashType.NONE_ANYONECANPAY,
      SighashType.SINGLE_ANYONECANPAY);

  @Test
  void legacyAndSegwitV0_agreeWithBitcoinj_onRandomTransactions() throws Exception {
    Random random = new Random(SEED);
    List<String> failures = new ArrayList<>();
    int legacyCompared = 0;
    int segwitCompared = 0;
    int refused = 0;
    for (int t = 0; t < TRANSACTIONS; t++) {
      Transaction tx = randomTransaction(random);
      org.bitcoinj.core.Transaction theirs =
          org.bitcoinj.core.Transaction.read(ByteBuffer.wrap(tx.serializeWithoutWitness()));
      TransactionSighasher ours =
          new TransactionSighasher(tx, Collections.nCopies(tx.inputs().size(), (TxOut) null));
      for (int i = 0; i < tx.inputs().size(); i++) {
        SighashType type = DEFINED.get(random.nextInt(DEFINED.size()));
        Script scriptCode = randomScript(random);
        long amount = (long) (random.nextDouble() * TxOut.MAX_MONEY);
        String where = "seed " + SEED + ", tx " + t + ", input " + i + ", " + type + ", scriptCode "
            + scriptCode.toHex() + ": ";

        String witnessTheirs = Hex.encode(theirs.hashForWitnessSignature(i, scriptCode.bytes(),
            Coin.valueOf(amount), (byte) type.value()).getBytes());
        String witnessOurs = ours.segwitV0(i, scriptCode, amount, type).toHex();
        segwitCompared++;
        if (!witnessOurs.equals(witnessTheirs)) {
          failures.add(where + "BIP-143 " + witnessOurs + " vs bitcoinj " + witnessTheirs);
        }

        if (type.base() == SighashType.BASE_SINGLE && i >= tx.outputs().size()) {
          try {
            ours.legacy(i, scriptCode, type);
            failures.add(where + "legacy SIGHASH_SINGLE without an output was not refused");
          } catch (SighashException expected) {
            refused++;
          }
          continue;
        }
        String legacyTheirs =
            Hex.encode(theirs.hashForSignature(i, scriptCode.bytes(), (byte) type.value()).getBytes());
        String legacyOurs = ours.legacy(i, scriptCode, type).toHex();
        legacyCompared++;
        if (!legacyOurs.equals(legacyTheirs)) {
          failures.add(where + "legacy " + legacyOurs + " vs bitcoinj " + legacyTheirs);
        }
      }
    }
    assertEquals(List.of(), failures, "seed " + SEED);
    assertTrue(legacyCompared > 400 && refused > 0, legacyCompared + " legacy, " + refused + " refused");
    System.out.printf("bitcoinj cross-check (seed %d): %d legacy, %d BIP-143 compared, %d refused%n",
        SEED, legacyCompared, segwitCompared, refused);
  }

  private static Transaction randomTransaction(Random random) {
    int inputCount = 1 + random.nextInt(6);
    int outputCount = 1 + random.nextInt(5);
    List<TxIn> inputs = new ArrayList<>();
    for (int i = 0; i < inputCount; i++) {
      byte[] txid = new byte[32];
      random.nextBytes(txid);
      Script scriptSig = random.nextBoolean() ? Script.EMPTY : randomScript(random);
      inputs.add(new TxIn(new OutPoint(Txid.fromInternal(txid), random.nextInt(4)), scriptSig,
          random.nextInt(3) == 0 ? TxIn.SEQUENCE_FINAL : random.nextLong(0x1_0000_0000L), List.of()));
    }
    List<TxOut> outputs = new ArrayList<>();
    for (int i = 0; i < outputCount; i++) {
      outputs.add(new TxOut((long) (random.nextDouble() * TxOut.MAX_MONEY), randomOutputScript(random)));
    }
    return new Transaction(random.nextInt(), inputs, outputs, random.nextLong(0x1_0000_0000L));
  }

  private static Script randomOutputScript(Random random) {
    byte[] hash = new byte[random.nextBoolean() ? 20 : 32];
    random.nextBytes(hash);
    return switch (random.nextInt(4)) {
      case 0 -> Script.p2pkh(java.util.Arrays.copyOf(hash, 20));
      case 1 -> Script.p2wpkh(java.util.Arrays.copyOf(hash, 20));
      case 2 -> Script.p2tr(java.util.Arrays.copyOf(hash, 32));
      default -> randomScript(random);
    };
  }

  /** Well-formed: direct pushes, PUSHDATA1, OP_CODESEPARATOR (0xab) and other opcodes. */
  private static Script randomScript(Random random) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int ops = random.nextInt(8);
    for (int i = 0; i < ops; i++) {
      switch (random.nextInt(5)) {
        case 0 -> {
          int n = 1 + random.nextInt(75);
          out.write(n);
          out.writeBytes(randomBytes(random, n));
        }
        case 1 -> {
          int n = random.nextInt(256);
          out.write(0x4c);
          out.write(n);
          out.writeBytes(randomBytes(random, n));
        }
        case 2 -> out.write(0xab);
        default -> out.write(0x4f + random.nextInt(0xff - 0x4f + 1)); // OP_1NEGATE .. 0xff
      }
    }
    return Script.of(out.toByteArray());
  }

  private static byte[] randomBytes(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
