package dev.keep.enclave.psbt;

import static dev.keep.enclave.psbt.PsbtFixtures.ORIGIN;
import static dev.keep.enclave.psbt.PsbtFixtures.derSig;
import static dev.keep.enclave.psbt.PsbtFixtures.filled;
import static dev.keep.enclave.psbt.PsbtFixtures.funding;
import static dev.keep.enclave.psbt.PsbtFixtures.key;
import static dev.keep.enclave.psbt.PsbtFixtures.spending;
import static dev.keep.enclave.psbt.PsbtFixtures.xOnly;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.tx.OutPoint;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxIn;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.bitcoin.tx.Txid;
import dev.keep.schema.encoding.Hex;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Building, updating, signing, finalizing and extracting through {@link Psbt}'s API. */
class PsbtTest {
  /** Serializes, parses, and checks that the parsed PSBT serializes to the same bytes. */
  private static Psbt roundTrip(Psbt psbt) throws PsbtException {
    byte[] bytes = psbt.serialize();
    Psbt parsed = Psbt.parse(bytes);
    assertArrayEquals(bytes, parsed.serialize());
    assertEquals(psbt.toBase64(), Psbt.decodeBase64(psbt.toBase64()).toBase64());
    return parsed;
  }

  @Test
  void createV0_withEveryUpdaterField_roundTripsAndReadsBack() throws PsbtException {
    Psbt psbt = Psbt.createV0(spending());
    psbt.setWitnessUtxo(0, funding().outputs().get(0));
    psbt.setNonWitnessUtxo(1, funding());
    psbt.setRedeemScript(1, Script.fromHex("0014" + "dd".repeat(20)));
    psbt.setWitnessScript(0, Script.fromHex("51"));
    psbt.setSighashType(0, 0x01);
    psbt.addBip32Derivation(0, key(1), ORIGIN);
    psbt.setTapInternalKey(0, xOnly(2));
    psbt.addTapBip32Derivation(0, xOnly(2), List.of(filled(32, 0x0a), filled(32, 0x0b)), ORIGIN);
    psbt.setTapMerkleRoot(0, filled(32, 0x0c));
    psbt.addTapLeafScript(0, new TapLeafScript(filled(65, 0xc0), Script.fromHex("51"), 0xc0));
    psbt.addOutputBip32Derivation(1, key(3), ORIGIN);
    psbt.setOutputRedeemScript(1, Script.fromHex("52"));
    psbt.setOutputWitnessScript(1, Script.fromHex("53"));
    psbt.setOutputTapInternalKey(0, xOnly(4));
    psbt.addOutputTapBip32Derivation(0, xOnly(4), List.of(), ORIGIN);
    List<TapLeaf> tree =
        List.of(
            new TapLeaf(1, 0xc0, Script.fromHex("51")),
            new TapLeaf(2, 0xc0, Script.fromHex("52")),
            new TapLeaf(2, 0xc0, Script.fromHex("53")));
    psbt.setOutputTapTree(0, tree);

    Psbt parsed = roundTrip(psbt);
    assertEquals(0, parsed.version());
    assertEquals(spending(), parsed.unsignedTx());
    PsbtInput in0 = parsed.input(0);
    assertEquals(funding().outputs().get(0), in0.witnessUtxo().orElseThrow());
    assertEquals(OptionalLong.of(1), in0.sighashType());
    assertEquals(List.of(new Bip32Derivation(key(1), ORIGIN)), in0.bip32Derivations());
    assertEquals(xOnly(2), in0.tapInternalKey().orElseThrow());
    TapBip32Derivation tapDerivation = in0.tapBip32Derivations().get(0);
    assertEquals(
        new TapBip32Derivation(xOnly(2), List.of(filled(32, 0x0a), filled(32, 0x0b)), ORIGIN),
        tapDerivation);
    assertArrayEquals(filled(32, 0x0c), in0.tapMerkleRoot().orElseThrow());
    assertEquals(0xc0, in0.tapLeafScripts().get(0).leafVersion());
    assertEquals(funding(), parsed.input(1).nonWitnessUtxo().orElseThrow());
    assertEquals(new OutPoint(funding().txid(), 1), parsed.input(1).prevout());
    assertEquals(tree, parsed.output(0).tapLeaves());
    assertEquals(List.of(new Bip32Derivation(key(3), ORIGIN)), parsed.output(1).bip32Derivations());
    assertEquals(Script.fromHex("53"), parsed.output(1).witnessScript().orElseThrow());
    assertEquals(spending().outputs().get(1), parsed.output(1).txOut());
  }

  @Test
  void createV0_refusesATransactionWithAScriptSig() {
    Transaction signed = funding(); // its input has scriptSig OP_1
    assertThrows(IllegalArgumentException.class, () -> Psbt.createV0(signed));
  }

  @Test
  void createV2_buildsTheUnsignedTransactionFromItsFields() throws PsbtException {
    Transaction tx = spending();
    List<TxIn> inputs =
        List.of(
            tx.inputs().get(0), TxIn.unsigned(tx.inputs().get(1).prevout(), TxIn.SEQUENCE_FINAL));
    Psbt psbt = Psbt.createV2(2, 800_000, inputs, tx.outputs());
    psbt.setTapInternalKey(0, xOnly(2));
    psbt.setOutputTapInternalKey(0, xOnly(4));

    Psbt parsed = roundTrip(psbt);
    assertEquals(2, parsed.version());
    assertEquals(OptionalLong.of(800_000), parsed.fallbackLockTime());
    assertEquals(OptionalLong.of(800_000), parsed.computedLockTime());
    assertEquals(OptionalLong.of(0xfffffffdL), parsed.input(0).sequence());
    assertEquals(
        OptionalLong.empty(), parsed.input(1).sequence()); // final is the default, not written
    Transaction unsigned = parsed.unsignedTx();
    assertEquals(2, unsigned.version());
    assertEquals(800_000, unsigned.lockTime());
    assertEquals(inputs, unsigned.inputs());
    assertEquals(tx.outputs(), unsigned.outputs());
    assertEquals(OptionalLong.of(70_000), parsed.output(0).amount());
  }

  @Test
  void setTxModifiable_onlyInVersionTwo() throws PsbtException {
    Psbt v2 = Psbt.createV2(2, 0, spending().inputs(), spending().outputs());
    v2.setTxModifiable(0b011);
    assertEquals(3, roundTrip(v2).txModifiable());
    assertThrows(IllegalStateException.class, () -> Psbt.createV0(spending()).setTxModifiable(1));
  }

  @Test
  void addPartialSig_replacesTheEntryForTheSameKey() throws PsbtException {
    Psbt psbt = Psbt.createV0(spending());
    psbt.addPartialSig(0, key(1), derSig(0x11, 0x01));
    psbt.addPartialSig(0, key(2), derSig(0x12, 0x01));
    psbt.addPartialSig(0, key(1), derSig(0x13, 0x83));
    List<PartialSig> sigs = roundTrip(psbt).input(0).partialSigs();
    assertEquals(2, sigs.size());
    assertArrayEquals(key(1).toBytes(), sigs.get(0).publicKey());
    assertArrayEquals(derSig(0x13, 0x83), sigs.get(0).signature());
    assertEquals(0x83, sigs.get(0).sighashType());
    assertEquals(key(2), sigs.get(1).compressedKey().orElseThrow());
  }

  @Test
  void addPartialSig_refusesANonDerSignatureAndChangesNothing() {
    Psbt psbt = Psbt.createV0(spending());
    byte[] before = psbt.serialize();
    byte[] bad = derSig(0x11, 0x01);
    bad[4] = (byte) 0x80; // R negative
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> psbt.addPartialSig(0, key(1), bad));
    assertTrue(e.getMessage().contains("R is negative"), e.getMessage());
    assertArrayEquals(before, psbt.serialize());
  }

  @Test
  void setTapKeySig_takes64Or65BytesButNotAnExplicitDefaultHashType() throws PsbtException {
    Psbt psbt = Psbt.createV0(spending());
    psbt.setTapKeySig(0, filled(64, 0x01));
    assertEquals(64, roundTrip(psbt).input(0).tapKeySig().orElseThrow().length);
    byte[] withAll = Arrays.copyOf(filled(64, 0x01), 65);
    withAll[64] = 0x01;
    psbt.setTapKeySig(0, withAll);
    assertArrayEquals(withAll, roundTrip(psbt).input(0).tapKeySig().orElseThrow());
    assertThrows(
        IllegalArgumentException.class,
        () -> psbt.setTapKeySig(0, Arrays.copyOf(filled(64, 1), 65)));
    assertThrows(IllegalArgumentException.class, () -> psbt.setTapKeySig(0, filled(63, 1)));
  }

  @Test
  void addTapScriptSig_isKeyedByKeyAndLeafHash() throws PsbtException {
    Psbt psbt = Psbt.createV0(spending());
    psbt.addTapScriptSig(0, new TapScriptSig(xOnly(1), filled(32, 0x0a), filled(64, 0x01)));
    psbt.addTapScriptSig(0, new TapScriptSig(xOnly(1), filled(32, 0x0b), filled(64, 0x02)));
    psbt.addTapScriptSig(0, new TapScriptSig(xOnly(1), filled(32, 0x0a), filled(64, 0x03)));
    assertEquals(
        List.of(
            new TapScriptSig(xOnly(1), filled(32, 0x0a), filled(64, 0x03)),
            new TapScriptSig(xOnly(1), filled(32, 0x0b), filled(64, 0x02))),
        roundTrip(psbt).input(0).tapScriptSigs());
  }

  @Test
  void setNonWitnessUtxo_refusesATransactionThatIsNotTheOneSpent() {
    Psbt psbt = Psbt.createV0(spending());
    Transaction other = new Transaction(1, funding().inputs(), funding().outputs(), 1);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> psbt.setNonWitnessUtxo(0, other));
    assertTrue(
        e.getMessage().startsWith("input 0, PSBT_IN_NON_WITNESS_UTXO: transaction "),
        e.getMessage());
  }

  /**
   * BIP-174 §Input Finalizer keeps the UTXOs, unknown and proprietary entries, and drops the rest.
   */
  @Test
  void finalizeInput_clearsAllButUtxoUnknownAndProprietaryFields() throws PsbtException {
    byte[] unknown = PsbtFixtures.pair(0x1f, new byte[] {1, 2}, new byte[] {3});
    byte[] proprietary =
        PsbtFixtures.pair(0xfc, new byte[] {4, 'k', 'e', 'e', 'p', 0x01}, new byte[] {9});
    Psbt start = Psbt.createV0(spending());
    byte[] base = start.serialize();
    int firstInputMap =
        base.length - 4; // two empty input maps then two empty output maps: 00 00 00 00
    byte[] withExtras =
        concat(Arrays.copyOf(base, firstInputMap), unknown, proprietary, new byte[] {0, 0, 0, 0});
    Psbt psbt = Psbt.parse(withExtras);
    psbt.setWitnessUtxo(0, funding().outputs().get(0));
    psbt.setNonWitnessUtxo(0, funding());
    psbt.addPartialSig(0, key(1), derSig(0x11, 0x01));
    psbt.addBip32Derivation(0, key(1), ORIGIN);
    psbt.setSighashType(0, 1);
    psbt.setWitnessScript(0, Script.fromHex("51"));
    psbt.setTapInternalKey(0, xOnly(2));
    psbt.setTapKeySig(0, filled(64, 1));

    List<byte[]> witness = List.of(derSig(0x11, 0x01), key(1).toBytes());
    psbt.finalizeInput(0, null, witness);

    PsbtInput in = roundTrip(psbt).input(0);
    assertTrue(in.isFinalized());
    assertEquals(
        Hex.encode(witness.get(0)), Hex.encode(in.finalScriptWitness().orElseThrow().get(0)));
    assertTrue(in.finalScriptSig().isEmpty());
    assertTrue(in.witnessUtxo().isPresent());
    assertTrue(in.nonWitnessUtxo().isPresent());
    assertTrue(in.partialSigs().isEmpty());
    assertTrue(in.bip32Derivations().isEmpty());
    assertTrue(in.sighashType().isEmpty());
    assertTrue(in.witnessScript().isEmpty());
    assertTrue(in.tapInternalKey().isEmpty());
    assertTrue(in.tapKeySig().isEmpty());
    String hex = Hex.encode(psbt.serialize());
    assertTrue(hex.contains(Hex.encode(unknown)), "unknown entry kept");
    assertTrue(hex.contains(Hex.encode(proprietary)), "proprietary entry kept");
  }

  @Test
  void finalizeInput_inVersionTwoKeepsTheFieldsTheTransactionIsBuiltFrom() throws PsbtException {
    Psbt psbt = Psbt.createV2(2, 0, spending().inputs(), spending().outputs());
    psbt.setWitnessUtxo(0, funding().outputs().get(0));
    psbt.finalizeInput(0, null, List.of(filled(64, 1)));
    PsbtInput in = roundTrip(psbt).input(0);
    assertEquals(spending().inputs().get(0).prevout(), in.prevout());
    assertEquals(OptionalLong.of(0xfffffffdL), in.sequence());
  }

  @Test
  void finalizeInput_needsAScriptSigOrAWitness() {
    Psbt psbt = Psbt.createV0(spending());
    assertThrows(IllegalArgumentException.class, () -> psbt.finalizeInput(0, null, null));
  }

  /** BIP-174 §Transaction Extractor. */
  @Test
  void extract_fillsEachInputsFinalScriptSigAndWitness() throws PsbtException {
    Psbt psbt = Psbt.createV0(spending());
    Script scriptSig =
        Script.fromHex("47" + Hex.encode(derSig(0x11, 0x01)) + "21" + key(1).toHex());
    List<byte[]> witness = List.of(derSig(0x12, 0x01), key(2).toBytes());
    psbt.finalizeInput(0, null, witness);
    IllegalStateException notYet = assertThrows(IllegalStateException.class, psbt::extract);
    assertEquals("input 1 is not finalized", notYet.getMessage());
    psbt.finalizeInput(1, scriptSig, null);

    Transaction signed = roundTrip(psbt).extract();
    Transaction unsigned = spending();
    Transaction expected =
        new Transaction(
            unsigned.version(),
            List.of(
                unsigned.inputs().get(0).withWitness(witness),
                unsigned.inputs().get(1).withScriptSig(scriptSig)),
            unsigned.outputs(),
            unsigned.lockTime());
    assertArrayEquals(expected.serialize(), signed.serialize());
    assertEquals(Script.EMPTY, signed.inputs().get(0).scriptSig());
    assertEquals(2, signed.inputs().get(0).witness().size());
    assertEquals(scriptSig, signed.inputs().get(1).scriptSig());
    assertTrue(signed.inputs().get(1).witness().isEmpty());
    assertEquals(spending().lockTime(), signed.lockTime());
    assertTrue(signed.hasWitness());
  }

  @Test
  void extract_inVersionTwoUsesTheComputedLockTime() {
    Psbt psbt = Psbt.createV2(2, 123, spending().inputs(), spending().outputs());
    psbt.finalizeInput(0, null, List.of(filled(64, 1)));
    psbt.finalizeInput(1, null, List.of(filled(64, 2)));
    Transaction signed = psbt.extract();
    assertEquals(123, signed.lockTime());
    assertEquals(psbt.unsignedTx().txid(), signed.txid());
  }

  @Test
  void uncompressedKeysAreKeptApartFromCompressedOnes() throws PsbtException {
    byte[] key65 = PsbtFixtures.uncompressedKey(7);
    byte[] bytes =
        PsbtFixtures.v2WithInputPairs(
            PsbtFixtures.pair(0x06, key65, ORIGIN.toBytes()),
            PsbtFixtures.pair(0x02, key65, derSig(0x11, 0x01)));
    PsbtInput in = Psbt.parse(bytes).input(0);
    assertTrue(in.bip32Derivations().isEmpty());
    assertEquals(
        List.of(new UncompressedBip32Derivation(key65, ORIGIN)), in.uncompressedBip32Derivations());
    assertTrue(in.partialSigs().get(0).compressedKey().isEmpty());
  }

  @Test
  void returnedArraysAreCopies() throws PsbtException {
    Psbt psbt = Psbt.createV0(spending());
    psbt.setTapMerkleRoot(0, filled(32, 7));
    psbt.addPartialSig(0, key(1), derSig(0x11, 0x01));
    byte[] before = psbt.serialize();
    psbt.input(0).tapMerkleRoot().orElseThrow()[0] = 0;
    psbt.input(0).partialSigs().get(0).signature()[0] = 0;
    assertArrayEquals(before, psbt.serialize());
    assertArrayEquals(filled(32, 7), psbt.input(0).tapMerkleRoot().orElseThrow());
  }

  @Test
  void builtPsbtsHaveAStableEncoding() {
    Psbt psbt =
        Psbt.createV2(
            2,
            0,
            List.of(
                TxIn.unsigned(new OutPoint(Txid.fromInternal(filled(32, 0x44)), 1), 0xfffffffeL)),
            List.of(new TxOut(1000, Script.fromHex("51"))));
    // Golden: magic; global TX_VERSION 2, FALLBACK_LOCKTIME 0, INPUT_COUNT 1, OUTPUT_COUNT 1,
    // VERSION 2;
    // input PREVIOUS_TXID, OUTPUT_INDEX 1, SEQUENCE fffffffe; output AMOUNT 1000, SCRIPT 51.
    assertEquals(
        "70736274ff"
            + "01020402000000"
            + "010304"
            + "00000000"
            + "01040101"
            + "01050101"
            + "01fb0402000000"
            + "00"
            + "010e20"
            + "44".repeat(32)
            + "010f0401000000"
            + "011004feffffff"
            + "00"
            + "010308e803000000000000"
            + "01040151"
            + "00",
        Hex.encode(psbt.serialize()));
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  @Test
  void inputIndexOutOfRangeIsAProgrammingError() {
    Psbt psbt = Psbt.createV0(spending());
    assertThrows(IndexOutOfBoundsException.class, () -> psbt.setSighashType(2, 1));
    assertFalse(psbt.input(0).isFinalized());
  }
}
