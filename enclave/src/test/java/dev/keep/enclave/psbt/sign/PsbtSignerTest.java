package dev.keep.enclave.psbt.sign;

import static dev.keep.enclave.psbt.sign.SpendFixtures.p2pkh;
import static dev.keep.enclave.psbt.sign.SpendFixtures.p2shP2wpkh;
import static dev.keep.enclave.psbt.sign.SpendFixtures.p2tr;
import static dev.keep.enclave.psbt.sign.SpendFixtures.p2wpkh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.sighash.SighashType;
import dev.keep.enclave.bitcoin.taproot.TapNodeHash;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.keys.KeyMaterial;
import dev.keep.enclave.keys.Network;
import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.hd.DerivationPath;
import dev.keep.enclave.keys.hd.ExtendedPrivateKey;
import dev.keep.enclave.psbt.KeyOrigin;
import dev.keep.enclave.psbt.Psbt;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.enclave.signing.Signer;
import dev.keep.enclave.spend.SpendException;
import dev.keep.enclave.spend.SpendRules;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The signer end to end: it signs every template for the key's own scripts, leaves the rest
 * alone, finalises, and bitcoin-kmp's script interpreter accepts what it extracts.
 */
class PsbtSignerTest {
  private static final LibSecp256k1Engine ENGINE = new LibSecp256k1Engine();
  private static final Signer SIGNER = new Signer(ENGINE, new SecureRandom());
  private final PsbtSigner psbtSigner = new PsbtSigner(SIGNER);

  private static KeyMaterial single() {
    return KeyMaterial.Single.of(SIGNER.generate());
  }

  private static KeyMaterial hd(long seed) {
    byte[] bytes = new byte[32];
    new java.util.Random(seed).nextBytes(bytes);
    return new KeyMaterial.Hd(ExtendedPrivateKey.fromSeed(bytes));
  }

  private static KeyOrigin origin(KeyMaterial key, String path) {
    return new KeyOrigin(key.fingerprint().orElseThrow(), DerivationPath.parse(path));
  }

  private SignOutcome sign(Psbt psbt, KeyMaterial key, boolean finalize) throws SpendException {
    return psbtSigner.sign(psbt, key, Network.TESTNET, SpendRules.STRICT, finalize);
  }

  @Test
  void singleKey_signsEveryTemplate_andBitcoinKmpAcceptsTheExtractedTransaction() throws Exception {
    KeyMaterial key = single();
    PublicKey pub = key.publicKey(null);
    SpendFixtures f = new SpendFixtures(1)
        .spend(p2wpkh(pub), 50_000)
        .spend(p2shP2wpkh(pub), 60_000)
        .spend(p2pkh(pub), 70_000)
        .spend(p2tr(pub, Optional.empty()), 80_000);
    Psbt psbt = f.psbt(List.of(new TxOut(250_000, f.randomP2wpkh())), true);

    SignOutcome outcome = sign(psbt, key, true);

    assertEquals(4, outcome.signedCount());
    assertTrue(outcome.complete(), outcome.inputs().toString());
    Transaction tx = outcome.extracted().orElseThrow();
    assertNull(f.checkWithBitcoinKmp(tx));
    assertEquals(260_000, outcome.analysis().inputTotal());
    assertEquals(10_000, outcome.analysis().fee());
    assertEquals(250_000, outcome.analysis().externalTotal());
    // The estimate is an upper bound; ECDSA signatures are 71 or 72 bytes, the estimate uses 72.
    long actual = (tx.weight() + 3) / 4;
    long estimate = outcome.analysis().vsize();
    assertTrue(estimate >= actual && estimate - actual <= 3, "estimate " + estimate + " actual " + actual);
    assertEquals(List.of("P2WPKH, BIP-143", "P2SH-P2WPKH, BIP-143", "P2PKH, legacy sighash", "P2TR key path, BIP-86 tweak"),
        outcome.inputs().stream().map(r -> r.reason().replace("signed: ", "")).toList());
    assertEquals(Optional.of(SighashType.DEFAULT), outcome.inputs().get(3).sighash());
    assertEquals(Optional.of(SighashType.ALL), outcome.inputs().get(0).sighash());
  }

  @Test
  void taprootWithAMerkleRoot_isTweakedWithIt() throws Exception {
    KeyMaterial key = single();
    PublicKey pub = key.publicKey(null);
    byte[] root = new byte[32];
    new java.util.Random(7).nextBytes(root);
    SpendFixtures f = new SpendFixtures(2).spend(p2tr(pub, Optional.of(TapNodeHash.of(root))), 40_000);
    Psbt psbt = f.psbt(List.of(new TxOut(39_000, f.randomP2wpkh())), true);
    psbt.setTapInternalKey(0, pub.xOnly());
    psbt.setTapMerkleRoot(0, root);

    SignOutcome outcome = sign(psbt, key, true);

    assertEquals("signed: P2TR key path, tweaked with tap_merkle_root", outcome.inputs().get(0).reason());
    assertNull(f.checkWithBitcoinKmp(outcome.extracted().orElseThrow()));
  }

  @Test
  void explicitSighashAll_onTaproot_makesA65ByteSignature() throws Exception {
    KeyMaterial key = single();
    PublicKey pub = key.publicKey(null);
    SpendFixtures f = new SpendFixtures(3).spend(p2tr(pub, Optional.empty()), 40_000);
    Psbt psbt = f.psbt(List.of(new TxOut(39_000, f.randomP2wpkh())), true);
    psbt.setSighashType(0, 1);

    SignOutcome outcome = sign(psbt, key, true);

    assertEquals(65, outcome.psbt().input(0).finalScriptWitness().orElseThrow().get(0).length);
    assertNull(f.checkWithBitcoinKmp(outcome.extracted().orElseThrow()));
  }

  @Test
  void hdKey_signsWhatItsPathsDerive_andLeavesOtherInputsUntouched() throws Exception {
    KeyMaterial key = hd(11);
    PublicKey segwit = key.publicKey(DerivationPath.parse("m/84'/1'/0'/0/3"));
    PublicKey taproot = key.publicKey(DerivationPath.parse("m/86'/1'/0'/0/1"));
    PublicKey stranger = single().publicKey(null);
    SpendFixtures f = new SpendFixtures(4)
        .spend(p2wpkh(segwit), 30_000)
        .spend(p2tr(taproot, Optional.empty()), 30_000)
        .spend(p2wpkh(stranger), 30_000);
    Psbt psbt = f.psbt(List.of(new TxOut(85_000, f.randomP2wpkh())), true);
    psbt.addBip32Derivation(0, segwit, origin(key, "m/84'/1'/0'/0/3"));
    psbt.addTapBip32Derivation(1, taproot.xOnly(), List.of(), origin(key, "m/86'/1'/0'/0/1"));

    SignOutcome outcome = sign(psbt, key, true);

    assertEquals(List.of(true, true, false), outcome.inputs().stream().map(InputResult::signed).toList());
    assertEquals(Optional.of(DerivationPath.parse("m/84'/1'/0'/0/3")), outcome.inputs().get(0).path());
    assertTrue(outcome.inputs().get(2).reason().startsWith("not this key's"), outcome.inputs().get(2).reason());
    assertTrue(outcome.psbt().input(2).partialSigs().isEmpty());
    assertFalse(outcome.psbt().input(2).isFinalized());
    assertFalse(outcome.complete());
  }

  @Test
  void aPsbtWithNoInputOfTheKey_isRefusedRatherThanReportedSigned() {
    KeyMaterial key = single();
    SpendFixtures f = new SpendFixtures(14).spend(p2wpkh(single().publicKey(null)), 30_000);
    Psbt psbt = f.psbt(List.of(new TxOut(29_000, f.randomP2wpkh())), true);

    SpendException e = assertThrows(SpendException.class, () -> sign(psbt, key, false));
    assertTrue(e.getMessage().startsWith("psbt: none of its 1 inputs is this key's"), e.getMessage());
  }

  @Test
  void aDerivationEntryThatLiesAboutItsKey_doesNotMakeAnInputOurs() {
    KeyMaterial key = hd(12);
    PublicKey stranger = single().publicKey(null);
    SpendFixtures f = new SpendFixtures(5).spend(p2wpkh(stranger), 30_000);
    Psbt psbt = f.psbt(List.of(new TxOut(29_000, f.randomP2wpkh())), true);
    // Our fingerprint and a real path, but the stranger's key: the enclave derives and compares.
    psbt.addBip32Derivation(0, stranger, origin(key, "m/84'/1'/0'/0/0"));

    SpendException e = assertThrows(SpendException.class, () -> sign(psbt, key, false));
    assertTrue(e.getMessage().contains("that path derives another key"), e.getMessage());
  }

  @Test
  void changeIsOnlyWhatTheKeyDerives_neverWhatMetadataClaims() throws Exception {
    KeyMaterial key = hd(13);
    PublicKey input = key.publicKey(DerivationPath.parse("m/84'/1'/0'/0/0"));
    PublicKey change = key.publicKey(DerivationPath.parse("m/84'/1'/0'/1/0"));
    PublicKey taprootChange = key.publicKey(DerivationPath.parse("m/86'/1'/0'/1/0"));
    SpendFixtures f = new SpendFixtures(6).spend(p2wpkh(input), 100_000);
    Script attacker = f.randomP2wpkh();
    Script opReturn = Script.of(new byte[] {0x6a, 0x04, 'k', 'e', 'e', 'p'});
    Psbt psbt = f.psbt(List.of(
        new TxOut(20_000, p2wpkh(change)),                          // 0: real change
        new TxOut(20_000, attacker),                                // 1: claims to be change
        new TxOut(0, opReturn),                                     // 2: data
        new TxOut(20_000, p2tr(taprootChange, Optional.empty())),  // 3: real taproot change
        new TxOut(20_000, p2wpkh(change))),                         // 4: ours, but no derivation given
        true);
    psbt.addBip32Derivation(0, input, origin(key, "m/84'/1'/0'/0/0"));
    psbt.addOutputBip32Derivation(0, change, origin(key, "m/84'/1'/0'/1/0"));
    psbt.addOutputBip32Derivation(1, change, origin(key, "m/84'/1'/0'/1/0"));
    psbt.addOutputTapBip32Derivation(3, taprootChange.xOnly(), List.of(), origin(key, "m/86'/1'/0'/1/0"));

    SignOutcome outcome = sign(psbt, key, false);

    var outputs = outcome.analysis().outputs();
    assertEquals(List.of(true, false, false, true, false), outputs.stream().map(o -> o.change().isPresent()).toList());
    assertEquals(Optional.empty(), outputs.get(2).address());
    assertTrue(outputs.get(3).address().orElseThrow().startsWith("tb1p"));
    assertEquals(40_000, outcome.analysis().changeTotal());
    assertEquals(40_000, outcome.analysis().externalTotal());
  }

  @Test
  void singleKey_recognisesItsOwnScriptsAsChange_withoutMetadata() throws Exception {
    KeyMaterial key = single();
    PublicKey pub = key.publicKey(null);
    SpendFixtures f = new SpendFixtures(7).spend(p2wpkh(pub), 100_000);
    Psbt psbt = f.psbt(List.of(new TxOut(50_000, p2tr(pub, Optional.empty())), new TxOut(49_000, f.randomP2wpkh())), true);

    SignOutcome outcome = sign(psbt, key, false);

    assertTrue(outcome.analysis().outputs().get(0).change().isPresent());
    assertFalse(outcome.analysis().outputs().get(1).change().isPresent());
    assertEquals(49_000, outcome.analysis().externalTotal());
  }

  @Test
  void segwitV0WithoutTheFullPreviousTransaction_isRefused() throws Exception {
    KeyMaterial key = single();
    SpendFixtures f = new SpendFixtures(8).spend(p2wpkh(key.publicKey(null)), 100_000);
    Psbt full = f.psbt(List.of(new TxOut(99_000, f.randomP2wpkh())), true);
    Psbt witnessOnly = Psbt.createV0(full.unsignedTx());
    witnessOnly.setWitnessUtxo(0, full.input(0).witnessUtxo().orElseThrow());

    SpendException e = assertThrows(SpendException.class, () -> sign(witnessOnly, key, false));
    assertTrue(e.getMessage().startsWith("input 0: non_witness_utxo is required"), e.getMessage());
    // A policy that accepts the risk can sign it.
    assertTrue(assertDoesNotThrowSign(witnessOnly, key).signedCount() == 1);
  }

  private SignOutcome assertDoesNotThrowSign(Psbt psbt, KeyMaterial key) throws SpendException {
    return psbtSigner.sign(psbt, key, Network.TESTNET, new SpendRules(false, SpendRules.STRICT.allowedSighashTypes()), false);
  }

  @Test
  void aWitnessUtxoThatDisagreesWithTheFullTransaction_isRefused() {
    KeyMaterial key = single();
    SpendFixtures f = new SpendFixtures(9).spend(p2wpkh(key.publicKey(null)), 100_000);
    Psbt psbt = f.psbt(List.of(new TxOut(99_000, f.randomP2wpkh())), false);
    psbt.setWitnessUtxo(0, new TxOut(1_000_000, p2wpkh(key.publicKey(null))));

    SpendException e = assertThrows(SpendException.class, () -> sign(psbt, key, false));
    assertTrue(e.getMessage().contains("disagrees"), e.getMessage());
  }

  @Test
  void inputsWithoutAnyUtxo_andOutputsAboveInputs_areRefused() {
    KeyMaterial key = single();
    SpendFixtures f = new SpendFixtures(10).spend(p2wpkh(key.publicKey(null)), 100_000);
    Psbt bare = Psbt.createV0(f.psbt(List.of(new TxOut(1, f.randomP2wpkh())), false).unsignedTx());
    assertTrue(assertThrows(SpendException.class, () -> sign(bare, key, false)).getMessage()
        .contains("neither non_witness_utxo nor witness_utxo"));
    Psbt overspend = f.psbt(List.of(new TxOut(100_001, f.randomP2wpkh())), true);
    assertTrue(assertThrows(SpendException.class, () -> sign(overspend, key, false)).getMessage()
        .startsWith("transaction: outputs total 100001"));
  }

  @Test
  void hashTypesOtherThanAllAndDefault_areDenied_andNothingIsSigned() {
    KeyMaterial key = single();
    PublicKey pub = key.publicKey(null);
    SpendFixtures f = new SpendFixtures(11).spend(p2wpkh(pub), 50_000).spend(p2wpkh(pub), 50_000);
    Psbt psbt = f.psbt(List.of(new TxOut(99_000, f.randomP2wpkh())), true);
    psbt.setSighashType(1, 2); // SIGHASH_NONE: the outputs could be changed after signing

    SpendException e = assertThrows(SpendException.class, () -> sign(psbt, key, false));
    assertEquals(SpendException.Kind.DENIED, e.kind());
    assertTrue(e.getMessage().startsWith("input 1: sighash_type SIGHASH_NONE is not allowed"), e.getMessage());
    assertTrue(psbt.input(0).partialSigs().isEmpty(), "a refusal leaves no signature behind");

    Psbt zero = f.psbt(List.of(new TxOut(99_000, f.randomP2wpkh())), true);
    zero.setSighashType(0, 0);
    assertTrue(assertThrows(SpendException.class, () -> sign(zero, key, false)).getMessage()
        .contains("exists only for taproot"));
  }

  @Test
  void anExplicitlyAllowedHashType_isSigned() throws Exception {
    KeyMaterial key = single();
    SpendFixtures f = new SpendFixtures(12).spend(p2wpkh(key.publicKey(null)), 50_000);
    Psbt psbt = f.psbt(List.of(new TxOut(49_000, f.randomP2wpkh())), true);
    psbt.setSighashType(0, 0x81);
    SpendRules rules = new SpendRules(true, Set.of(SighashType.ALL, SighashType.ALL_ANYONECANPAY));

    SignOutcome outcome = psbtSigner.sign(psbt, key, Network.TESTNET, rules, true);

    assertEquals(Optional.of(SighashType.ALL_ANYONECANPAY), outcome.inputs().get(0).sighash());
    assertNull(f.checkWithBitcoinKmp(outcome.extracted().orElseThrow()));
  }

  /** BIP-174's four PSBTs that parse but that a signer must refuse; each is refused, naming why. */
  @Test
  void bip174_failsSignerChecks_everyCaseIsRefused() throws Exception {
    com.fasterxml.jackson.databind.JsonNode cases;
    try (var in = getClass().getResourceAsStream("/vectors/bip174-psbt-vectors.json")) {
      cases = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in).get("fails_signer_checks");
    }
    assertEquals(4, cases.size());
    List<String> expected = List.of(
        "witness_utxo given for a p2pkh script that is not a witness program",
        "redeem_script does not hash to the script it spends",
        "redeem_script does not hash to the script it spends",
        "witness_script does not hash to the P2WSH program of redeem_script");
    for (int i = 0; i < cases.size(); i++) {
      Psbt psbt = Psbt.decodeBase64(cases.get(i).get("base64").asText());
      SpendException e = assertThrows(SpendException.class, () -> sign(psbt, single(), false),
          cases.get(i).get("description").asText());
      assertTrue(e.getMessage().matches("input \\d+: " + java.util.regex.Pattern.quote(expected.get(i)) + ".*"),
          cases.get(i).get("description").asText() + ": " + e.getMessage());
    }
  }

  /** BIP-370 §Signer: once signed with SIGHASH_ALL, neither inputs nor outputs may change. */
  @Test
  void aVersion2Psbt_isMarkedUnmodifiableOnceSigned() throws Exception {
    KeyMaterial key = single();
    PublicKey pub = key.publicKey(null);
    SpendFixtures f = new SpendFixtures(15).spend(p2tr(pub, Optional.empty()), 40_000);
    Psbt v0 = f.psbt(List.of(new TxOut(39_000, f.randomP2wpkh())), true);
    Transaction tx = v0.unsignedTx();
    Psbt psbt = Psbt.createV2(2, 0, tx.inputs(), tx.outputs());
    psbt.setWitnessUtxo(0, v0.input(0).witnessUtxo().orElseThrow());
    psbt.setTxModifiable(0x03);

    SignOutcome outcome = sign(psbt, key, true);

    assertEquals(0x00, outcome.psbt().txModifiable());
    assertNull(f.checkWithBitcoinKmp(outcome.extracted().orElseThrow()));
  }

  /** BIP-370: a PSBT whose inputs need both a height and a time lock has no valid lock time. */
  @Test
  void aVersion2PsbtWhoseLockTimeCannotBeComputed_isRefused() throws Exception {
    com.fasterxml.jackson.databind.JsonNode cases;
    try (var in = getClass().getResourceAsStream("/vectors/bip370-psbtv2-vectors.json")) {
      cases = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in).get("locktime_cannot_be_computed");
    }
    Psbt psbt = Psbt.decodeBase64(cases.get(0).get("base64").asText());
    SpendException e = assertThrows(SpendException.class, () -> sign(psbt, single(), false));
    assertTrue(e.getMessage().startsWith("psbt: the inputs' required lock times conflict"), e.getMessage());
  }
}
