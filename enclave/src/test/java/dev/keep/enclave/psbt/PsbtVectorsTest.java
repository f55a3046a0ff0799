package dev.keep.enclave.psbt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.keys.hd.DerivationPath;
import dev.keep.enclave.keys.hd.Fingerprint;
import dev.keep.schema.encoding.Hex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Every case of the BIP-174, BIP-370 and BIP-371 test vectors. Failures are collected and asserted
 * together, so one run shows them all.
 */
class PsbtVectorsTest {
  private static final Map<String, List<PsbtVectors.Case>> BIP174 =
      PsbtVectors.read(PsbtVectors.BIP174);
  private static final Map<String, List<PsbtVectors.Case>> BIP370 =
      PsbtVectors.read(PsbtVectors.BIP370);
  private static final Map<String, List<PsbtVectors.Case>> BIP371 =
      PsbtVectors.read(PsbtVectors.BIP371);

  /**
   * Where each invalid vector must fail: "location, field". Pins the error reporting, and that each
   * case fails for the reason its description gives rather than an earlier accident.
   */
  private static final Map<String, String> EXPECTED_FAILURES = new LinkedHashMap<>();

  static {
    String tx = "global, PSBT_GLOBAL_UNSIGNED_TX";
    EXPECTED_FAILURES.put("Network transaction, not PSBT format", "envelope, magic");
    EXPECTED_FAILURES.put("PSBT missing outputs", "output 0, map");
    EXPECTED_FAILURES.put("PSBT where one input has a filled scriptSig in the unsigned tx", tx);
    EXPECTED_FAILURES.put(
        "PSBT where inputs and outputs are provided but without an unsigned tx", tx);
    EXPECTED_FAILURES.put(
        "PSBT with duplicate keys in an input", "input 0, PSBT_IN_NON_WITNESS_UTXO");
    EXPECTED_FAILURES.put("PSBT with invalid global transaction typed key", tx);
    EXPECTED_FAILURES.put(
        "PSBT with invalid input witness utxo typed key", "input 0, PSBT_IN_WITNESS_UTXO");
    EXPECTED_FAILURES.put(
        "PSBT with invalid pubkey length for input partial signature typed key",
        "input 0, PSBT_IN_PARTIAL_SIG");
    EXPECTED_FAILURES.put(
        "PSBT with invalid redeemscript typed key", "input 0, PSBT_IN_REDEEM_SCRIPT");
    EXPECTED_FAILURES.put(
        "PSBT with invalid witnessscript typed key", "input 0, PSBT_IN_WITNESS_SCRIPT");
    EXPECTED_FAILURES.put(
        "PSBT with invalid pubkey in input BIP 32 derivation paths typed key",
        "input 0, PSBT_IN_BIP32_DERIVATION");
    EXPECTED_FAILURES.put(
        "PSBT with invalid non-witness utxo typed key", "input 0, PSBT_IN_NON_WITNESS_UTXO");
    EXPECTED_FAILURES.put(
        "PSBT with invalid final scriptsig typed key", "input 0, PSBT_IN_FINAL_SCRIPTSIG");
    EXPECTED_FAILURES.put(
        "PSBT with invalid final script witness typed key", "input 1, PSBT_IN_FINAL_SCRIPTWITNESS");
    EXPECTED_FAILURES.put(
        "PSBT with invalid pubkey in output BIP 32 derivation paths typed key",
        "output 0, PSBT_OUT_BIP32_DERIVATION");
    EXPECTED_FAILURES.put(
        "PSBT with invalid input sighash type typed key", "input 0, PSBT_IN_SIGHASH_TYPE");
    EXPECTED_FAILURES.put(
        "PSBT with invalid output redeemScript typed key", "output 0, PSBT_OUT_REDEEM_SCRIPT");
    EXPECTED_FAILURES.put(
        "PSBT with invalid output witnessScript typed key", "output 1, PSBT_OUT_WITNESS_SCRIPT");
    EXPECTED_FAILURES.put("PSBT with unsigned tx serialized with witness serialization format", tx);
    EXPECTED_FAILURES.put(
        "PSBT with an invalid value data due to its size being not the stated size", tx);

    EXPECTED_FAILURES.put("PSBTv0 but with PSBT_GLOBAL_VERSION set to 2.", tx);
    for (String g :
        List.of(
            "TX_VERSION", "FALLBACK_LOCKTIME", "INPUT_COUNT", "OUTPUT_COUNT", "TX_MODIFIABLE")) {
      EXPECTED_FAILURES.put("PSBTv0 but with PSBT_GLOBAL_" + g + ".", "global, PSBT_GLOBAL_" + g);
    }
    for (String i :
        List.of(
            "PREVIOUS_TXID",
            "OUTPUT_INDEX",
            "SEQUENCE",
            "REQUIRED_TIME_LOCKTIME",
            "REQUIRED_HEIGHT_LOCKTIME")) {
      EXPECTED_FAILURES.put("PSBTv0 but with PSBT_IN_" + i + ".", "input 0, PSBT_IN_" + i);
    }
    for (String o : List.of("AMOUNT", "SCRIPT")) {
      EXPECTED_FAILURES.put("PSBTv0 but with PSBT_OUT_" + o + ".", "output 0, PSBT_OUT_" + o);
      EXPECTED_FAILURES.put("PSBTv2 missing PSBT_OUT_" + o + ".", "output 0, PSBT_OUT_" + o);
    }
    EXPECTED_FAILURES.put("PSBTv2 but with PSBT_GLOBAL_UNSIGNED_TX.", tx);
    for (String g : List.of("INPUT_COUNT", "OUTPUT_COUNT", "TX_VERSION")) {
      EXPECTED_FAILURES.put("PSBTv2 missing PSBT_GLOBAL_" + g + ".", "global, PSBT_GLOBAL_" + g);
    }
    for (String i : List.of("PREVIOUS_TXID", "OUTPUT_INDEX")) {
      EXPECTED_FAILURES.put("PSBTv2 missing PSBT_IN_" + i + ".", "input 0, PSBT_IN_" + i);
    }
    EXPECTED_FAILURES.put(
        "PSBTv2 with PSBT_IN_REQUIRED_TIME_LOCKTIME less than 500000000.",
        "input 0, PSBT_IN_REQUIRED_TIME_LOCKTIME");
    EXPECTED_FAILURES.put(
        "PSBTv2 with PSBT_IN_REQUIRED_HEIGHT_LOCKTIME greater than or equal to 500000000.",
        "input 0, PSBT_IN_REQUIRED_HEIGHT_LOCKTIME");
    EXPECTED_FAILURES.put(
        "PSBTv2 with PSBT_IN_REQUIRED_HEIGHT_LOCKTIME of 0.",
        "input 0, PSBT_IN_REQUIRED_HEIGHT_LOCKTIME");

    String tt = "PSBT With <tt>";
    EXPECTED_FAILURES.put(
        tt
            + "PSBT_IN_TAP_INTERNAL_KEY</tt> key that is too long (incorrectly serialized as"
            + " compressed DER)",
        "input 0, PSBT_IN_TAP_INTERNAL_KEY");
    EXPECTED_FAILURES.put(
        tt + "PSBT_IN_TAP_KEY_SIG</tt> signature that is too short",
        "input 0, PSBT_IN_TAP_KEY_SIG");
    EXPECTED_FAILURES.put(
        tt + "PSBT_IN_TAP_KEY_SIG</tt> signature that is too long", "input 0, PSBT_IN_TAP_KEY_SIG");
    EXPECTED_FAILURES.put(
        tt
            + "PSBT_IN_TAP_BIP32_DERIVATION</tt> key that is too long (incorrectly serialized as"
            + " compressed DER)",
        "input 0, PSBT_IN_TAP_BIP32_DERIVATION");
    EXPECTED_FAILURES.put(
        tt
            + "PSBT_OUT_TAP_INTERNAL_KEY</tt> key that is too long (incorrectly serialized as"
            + " compressed DER)",
        "output 1, PSBT_OUT_TAP_INTERNAL_KEY");
    EXPECTED_FAILURES.put(
        tt
            + "PSBT_OUT_TAP_BIP32_DERIVATION</tt> key that is too long (incorrectly serialized as"
            + " compressed DER)",
        "output 1, PSBT_OUT_TAP_BIP32_DERIVATION");
    EXPECTED_FAILURES.put(
        tt
            + "PSBT_IN_TAP_SCRIPT_SIG</tt> key that is too long (incorrectly serialized as"
            + " compressed DER)",
        "input 0, PSBT_IN_TAP_SCRIPT_SIG");
    EXPECTED_FAILURES.put(
        tt + "PSBT_IN_TAP_SCRIPT_SIG</tt> signature that is too long",
        "input 0, PSBT_IN_TAP_SCRIPT_SIG");
    EXPECTED_FAILURES.put(
        tt + "PSBT_IN_TAP_SCRIPT_SIG</tt> signature that is too short",
        "input 0, PSBT_IN_TAP_SCRIPT_SIG");
    EXPECTED_FAILURES.put(
        tt + "PSBT_IN_TAP_LEAF_SCRIPT</tt> Control block that is too long",
        "input 0, PSBT_IN_TAP_LEAF_SCRIPT");
    EXPECTED_FAILURES.put(
        tt + "PSBT_IN_TAP_LEAF_SCRIPT</tt> Control block that is too short",
        "input 0, PSBT_IN_TAP_LEAF_SCRIPT");
  }

  @Test
  void everyGroupHasTheExpectedNumberOfCases() {
    assertEquals(Map.of("invalid", 20, "valid", 10, "fails_signer_checks", 4), sizes(BIP174));
    assertEquals(
        Map.of(
            "invalid", 24,
            "valid", 14,
            "locktime_0", 2,
            "locktime_10000", 4,
            "locktime_1657048460", 3,
            "locktime_cannot_be_computed", 1),
        sizes(BIP370));
    assertEquals(Map.of("invalid", 11, "valid", 6), sizes(BIP371));
    assertEquals(55, EXPECTED_FAILURES.size());
  }

  private static Map<String, Integer> sizes(Map<String, List<PsbtVectors.Case>> groups) {
    Map<String, Integer> out = new LinkedHashMap<>();
    groups.forEach((group, cases) -> out.put(group, cases.size()));
    return out;
  }

  /**
   * Valid, lock time and fails_signer_checks cases parse and serialize to the same bytes and
   * base64.
   */
  @Test
  void everyValidCaseParsesAndRoundTripsExactly() {
    List<String> failures = new ArrayList<>();
    List<PsbtVectors.Case> cases = PsbtVectors.allValid();
    for (PsbtVectors.Case c : cases) {
      try {
        byte[] bytes = c.bytes();
        if (!c.hex().isEmpty() && !Arrays.equals(Hex.decode("hex", c.hex()), bytes)) {
          failures.add(c + ": hex and base64 differ in the vector file");
        }
        Psbt parsed = Psbt.parse(bytes);
        if (!Arrays.equals(bytes, parsed.serialize())) {
          failures.add(c + ": serialize() differs from the input");
        }
        if (!Psbt.decodeBase64(c.base64()).toBase64().equals(c.base64())) {
          failures.add(c + ": base64 does not round trip");
        }
        if (!Arrays.equals(bytes, Psbt.decodeFile(bytes).serialize())
            || !Arrays.equals(bytes, Psbt.decodeFile(c.base64().getBytes()).serialize())) {
          failures.add(c + ": decodeFile does not round trip");
        }
      } catch (Exception e) {
        failures.add(c + ": " + e);
      }
    }
    assertEquals(10 + 4 + 14 + 2 + 4 + 3 + 1 + 6, cases.size());
    assertEquals(List.of(), failures);
  }

  /** Every invalid case throws PsbtException, from bytes and from base64, at the expected place. */
  @Test
  void everyInvalidCaseIsRejectedWhereExpected() {
    List<String> failures = new ArrayList<>();
    int run = 0;
    for (Map<String, List<PsbtVectors.Case>> file : List.of(BIP174, BIP370, BIP371)) {
      for (PsbtVectors.Case c : file.get("invalid")) {
        run++;
        String expected = EXPECTED_FAILURES.get(c.description());
        if (expected == null) {
          failures.add(c + ": no expected failure listed");
          continue;
        }
        for (boolean viaBase64 : new boolean[] {false, true}) {
          try {
            Psbt p = viaBase64 ? Psbt.decodeBase64(c.base64()) : Psbt.parse(c.bytes());
            failures.add(c + ": parsed as a version " + p.version() + " PSBT");
          } catch (PsbtException e) {
            String actual = e.where() + ", " + e.field();
            if (!actual.equals(expected)) {
              failures.add(
                  c
                      + ": failed at '"
                      + actual
                      + "' ("
                      + e.rule()
                      + "), expected '"
                      + expected
                      + "'");
            }
            if (!e.getMessage().equals(actual + ": " + e.rule()) || e.rule().isBlank()) {
              failures.add(
                  c + ": message '" + e.getMessage() + "' does not name location, field and rule");
            }
          } catch (RuntimeException e) {
            failures.add(c + ": threw " + e);
          }
        }
      }
    }
    assertEquals(20 + 24 + 11, run);
    assertEquals(List.of(), failures);
  }

  @Test
  void duplicateKeyInInputZeroNamesTheInputAndField() {
    PsbtException e =
        assertThrows(
            PsbtException.class,
            () -> Psbt.parse(find(BIP174, "PSBT with duplicate keys in an input").bytes()));
    assertEquals(PsbtLocation.input(0), e.where());
    assertEquals("PSBT_IN_NON_WITNESS_UTXO", e.field());
    assertTrue(e.rule().startsWith("duplicate key"), e.rule());
  }

  @Test
  void witnessSerializedUnsignedTxIsNamedAsSuch() {
    PsbtException e =
        assertThrows(
            PsbtException.class,
            () ->
                Psbt.parse(
                    find(
                            BIP174,
                            "PSBT with unsigned tx serialized with witness serialization format")
                        .bytes()));
    assertEquals(
        "global, PSBT_GLOBAL_UNSIGNED_TX: serialized in the witness format (marker 0x00, flag"
            + " 0x01); BIP-174 requires the format without witnesses",
        e.getMessage());
  }

  /** BIP-370 §Determining Lock Time, against the four lock time groups. */
  @Test
  void lockTimeGroupsComputeTheirLockTime() throws PsbtException {
    List<String> failures = new ArrayList<>();
    Map<String, OptionalLong> expected =
        Map.of(
            "locktime_0", OptionalLong.of(0),
            "locktime_10000", OptionalLong.of(10000),
            "locktime_1657048460", OptionalLong.of(1657048460),
            "locktime_cannot_be_computed", OptionalLong.empty());
    int run = 0;
    for (Map.Entry<String, OptionalLong> group : expected.entrySet()) {
      for (PsbtVectors.Case c : BIP370.get(group.getKey())) {
        run++;
        Psbt p = Psbt.parse(c.bytes());
        if (!p.computedLockTime().equals(group.getValue())) {
          failures.add(group.getKey() + " / " + c + ": computed " + p.computedLockTime());
        } else if (group.getValue().isPresent()
            && p.unsignedTx().lockTime() != group.getValue().getAsLong()) {
          failures.add(
              group.getKey() + " / " + c + ": unsigned tx lock time " + p.unsignedTx().lockTime());
        }
      }
    }
    assertEquals(10, run);
    assertEquals(List.of(), failures);
    Psbt cannot = Psbt.parse(BIP370.get("locktime_cannot_be_computed").get(0).bytes());
    assertThrows(IllegalStateException.class, cannot::unsignedTx);
  }

  /** These pass the parser; the signer rejects them (BIP-174 §Signer checks). */
  @Test
  void failsSignerChecksCasesParse() throws PsbtException {
    for (PsbtVectors.Case c : BIP174.get("fails_signer_checks")) {
      assertEquals(0, Psbt.parse(c.bytes()).version(), c.description());
    }
  }

  @Test
  void globalXpubVectorDecodesKeyAndOrigin() throws PsbtException {
    Psbt p = Psbt.parse(find(BIP174, "PSBT with `PSBT_GLOBAL_XPUB`.").bytes());
    assertEquals(1, p.globalXpubs().size());
    GlobalXpub xpub = p.globalXpubs().get(0);
    assertEquals(
        new KeyOrigin(new Fingerprint(0x27569c50), DerivationPath.parse("m/49'/0'/0'")),
        xpub.origin());
    assertEquals("0488b21e", Hex.encode(Arrays.copyOf(xpub.extendedKey78(), 4)));
    assertEquals(
        DerivationPath.parse("m/49'/0'/0'/0/1"),
        p.input(0).bip32Derivations().get(0).origin().path());
    assertEquals(1, p.input(0).partialSigs().size());
  }

  @Test
  void versionTwoVectorWithEveryFieldDecodesThem() throws PsbtException {
    Psbt p =
        Psbt.parse(
            find(BIP370, "1 input, 2 output updated PSBTv2, with all PSBTv2 fields").bytes());
    assertEquals(2, p.version());
    assertEquals(7, p.txModifiable());
    assertEquals(OptionalLong.of(0), p.fallbackLockTime());
    PsbtInput in = p.input(0);
    assertEquals(OptionalLong.of(0xfffffffeL), in.sequence());
    assertEquals(OptionalLong.of(1657048460), in.requiredTimeLockTime());
    assertEquals(OptionalLong.of(10000), in.requiredHeightLockTime());
    assertEquals(
        "c85f81844094f9f0eec1e41f8d63e0a99e9f73dc725d7319871c9c4121d90a0b",
        in.previousTxid().orElseThrow().toDisplayHex());
    assertEquals(OptionalLong.of(800000000), p.output(0).amount());
    assertEquals(10000, p.unsignedTx().lockTime());
    assertEquals(0xfffffffeL, p.unsignedTx().inputs().get(0).sequence());
    assertEquals(p.output(1).txOut(), p.unsignedTx().outputs().get(1));
  }

  @Test
  void taprootVectorsDecodeTheirFields() throws PsbtException {
    List<PsbtVectors.Case> valid = BIP371.get("valid");
    PsbtInput keySpend = Psbt.parse(valid.get(1).bytes()).input(0);
    assertTrue(keySpend.tapInternalKey().isPresent());
    assertEquals(64, keySpend.tapKeySig().orElseThrow().length);
    assertEquals(1, keySpend.tapBip32Derivations().size());
    assertEquals(List.of(), keySpend.tapBip32Derivations().get(0).leafHashes());

    PsbtInput scriptSpend = Psbt.parse(valid.get(5).bytes()).input(0);
    assertFalse(scriptSpend.tapLeafScripts().isEmpty());
    assertFalse(scriptSpend.tapScriptSigs().isEmpty());
    assertEquals(32, scriptSpend.tapMerkleRoot().orElseThrow().length);

    PsbtOutput treeOutput = Psbt.parse(valid.get(4).bytes()).output(0);
    assertFalse(treeOutput.tapLeaves().isEmpty());
    assertArrayEquals(
        TaprootCodec.tapTreeValue(treeOutput.tapLeaves()), treeOutput.tapTree().orElseThrow());
  }

  private static PsbtVectors.Case find(
      Map<String, List<PsbtVectors.Case>> file, String description) {
    return file.values().stream()
        .flatMap(List::stream)
        .filter(c -> c.description().equals(description))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no vector '" + description + "'"));
  }
}
