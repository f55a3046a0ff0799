package dev.keep.enclave.bitcoin.sighash;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.tx.ByteReader;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxFormatException;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.schema.encoding.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * BIP-143 §Example: all 14 sighash values of {@code vectors/bip143-examples.json}, and the 4
 * preimages it prints. For the P2WSH examples the JSON has only the values, so each case's
 * scriptCode, amount and hash type are copied below from the text of bip-0143.mediawiki, with the
 * line they come from.
 */
class SighashBip143Test {

  /** One sighash of the BIP: which input, the scriptCode (without its length), amount, type. */
  record Case(String name, Transaction tx, int input, String scriptCodeHex, long amount,
      SighashType type, String sigHash, String preimage) {}

  static JsonNode examples() throws IOException {
    try (InputStream in = SighashBip143Test.class.getResourceAsStream("/vectors/bip143-examples.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  static JsonNode example(JsonNode all, String name) {
    for (JsonNode e : all) {
      if (e.get("example").asText().equals(name)) {
        return e;
      }
    }
    throw new AssertionError("no example " + name);
  }

  static Transaction tx(String hex) throws TxFormatException {
    return Transaction.parse(Hex.decode("tx", hex), true);
  }

  /** The four cases the JSON prints a full preimage for; their fields are read from the JSON. */
  static List<Case> casesWithPreimage(JsonNode all) throws Exception {
    List<Case> out = new ArrayList<>();
    for (String name : List.of("Native P2WPKH", "P2SH-P2WPKH", "No FindAndDelete")) {
      JsonNode e = example(all, name);
      Transaction unsigned = tx(e.get("unsigned_tx").asText());
      for (JsonNode p : e.get("with_preimage")) {
        String preimage = p.get("preimage").asText();
        if (p.get("scriptCode").isNull()) {
          // bip-0143.mediawiki, No FindAndDelete: "The following transaction is a
          // OP_CHECKMULTISIGVERIFY version of the FindAndDelete examples: 01000000000101 9275cb8d..."
          // Its preimage is printed, its fields are not; the redeemScript is
          // "OP_2 OP_CHECKMULTISIGVERIFY <sig> <sig>", the value 200000 as for the first example.
          Transaction multisig = tx(CHECKMULTISIGVERIFY_TX);
          out.add(new Case(name + " (CHECKMULTISIGVERIFY)", multisig, 0, CHECKMULTISIGVERIFY_SCRIPT,
              200_000, SighashType.ALL, p.get("sigHash").asText(), preimage));
          continue;
        }
        byte[] pre = Hex.decode("preimage", preimage);
        out.add(new Case(name, unsigned, inputSpentBy(unsigned, pre), withoutLength(p.get("scriptCode").asText()),
            leLong(p.get("amount_le").asText()), new SighashType((int) leLong(p.get("nHashType_le").asText())),
            p.get("sigHash").asText(), preimage));
      }
    }
    return out;
  }

  static final String CHECKMULTISIGVERIFY_TX =
      "010000000001019275cb8d4a485ce95741c013f7c0d28722160008021bb469a11982d47a6628964c1d000000ffffffff0101000000000000000007004830450220487fb382c4974de3f7d834c1b617fe15860828c7f96454490edd6d891556dcc9022100baf95feb48f845d5bfc9882eb6aeefa1bc3790e39f59eaa46ff7f15ae626c53e0148304502205286f726690b2e9b0207f0345711e63fa7012045b9eb0f19c2458ce1db90cf43022100e89f17f86abc5b149eba4115d4f128bcf45d77fb3ecdd34f594091340c0395960101022102966f109c54e85d3aee8321301136cedeb9fc710fdef58a9de8a73942f8e567c021034ffc99dd9a79dd3cb31e2ab3e0b09e0e67db41ac068c625cd1f491576016c84e9552af4830450220487fb382c4974de3f7d834c1b617fe15860828c7f96454490edd6d891556dcc9022100baf95feb48f845d5bfc9882eb6aeefa1bc3790e39f59eaa46ff7f15ae626c53e0148304502205286f726690b2e9b0207f0345711e63fa7012045b9eb0f19c2458ce1db90cf43022100e89f17f86abc5b149eba4115d4f128bcf45d77fb3ecdd34f594091340c039596017500000000";

  /** The witnessScript, the last item of that transaction's witness ("9552af48...0175"). */
  static final String CHECKMULTISIGVERIFY_SCRIPT =
      "52af4830450220487fb382c4974de3f7d834c1b617fe15860828c7f96454490edd6d891556dcc9022100baf95feb48f845d5bfc9882eb6aeefa1bc3790e39f59eaa46ff7f15ae626c53e0148304502205286f726690b2e9b0207f0345711e63fa7012045b9eb0f19c2458ce1db90cf43022100e89f17f86abc5b149eba4115d4f128bcf45d77fb3ecdd34f594091340c0395960175";

  /**
   * The ten values the JSON lists without fields, from the P2WSH sections of bip-0143.mediawiki.
   * The scriptCodes are as the BIP prints them, minus the length byte; where the witnessScript has
   * an OP_CODESEPARATOR the BIP has already cut it at the last executed one.
   */
  static List<Case> p2wshCases(JsonNode all) throws Exception {
    List<Case> out = new ArrayList<>();
    JsonNode native_ = example(all, "Native P2WSH");
    List<String> nativeValues = values(native_);
    Transaction first = tx(native_.get("unsigned_tx").asText());
    // "The second input comes from a native P2WSH witness program: ... value: 49"
    // "To sign it with a nHashType of 3 (SIGHASH_SINGLE)"; "amount: 0011102401000000"
    long fortyNine = 49 * 100_000_000L;
    // "scriptCode: 4721026dcc...ac (please note that the not-yet-exectued OP_CODESEPARATOR is not
    // removed from the scriptCode)"
    out.add(new Case("Native P2WSH, first key", first, 1,
        "21026dccc749adc2a9d0d89497ac511f760f45c47dc5ed9cf352a58ac706453880aeadab210255a9626aebf5e29c0e6538428ba0d1dcf6ca98ffdf086aa8ced5e0d0215ea465ac",
        fortyNine, SighashType.SINGLE, nativeValues.get(0), null));
    // "scriptCode: 23210255a9...ac (everything up to the last executed OP_CODESEPARATOR, including
    // that OP_CODESEPARATOR, are removed)"
    out.add(new Case("Native P2WSH, second key", first, 1,
        "210255a9626aebf5e29c0e6538428ba0d1dcf6ca98ffdf086aa8ced5e0d0215ea465ac",
        fortyNine, SighashType.SINGLE, nativeValues.get(1), null));

    // "This example shows how unexecuted OP_CODESEPARATOR is processed, and SINGLE|ANYONECANPAY
    // does not commit to the input index: The following is an unsigned transaction: 0100000002e9b5..."
    Transaction second = tx("0100000002e9b542c5176808107ff1df906f46bb1f2583b16112b95ee5380665ba7fcfc0010000000000ffffffff80e68831516392fcd100d186b3c2c7b95c80b53c77e77c35ba03a66b429a2a1b0000000000ffffffff0280969800000000001976a914de4b231626ef508c9a74a8517e6783c0546d6b2888ac80969800000000001976a9146648a8cd4531e1ec47f35916de8e259237294d1e88ac00000000");
    // "value: 0.16777215" for both inputs; "To sign it with a nHashType of 0x83 (SINGLE|ANYONECANPAY)"
    // "scriptCode: 270063ab68...ac (since the OP_CODESEPARATOR is not executed, nothing is removed)"
    out.add(new Case("Native P2WSH, unexecuted OP_CODESEPARATOR", second, 0,
        "0063ab68210392972e2eb617b2388771abe27235fd5ac44af8e61693261550447a4c3e39da98ac",
        16_777_215, SighashType.SINGLE_ANYONECANPAY, nativeValues.get(2), null));
    // "scriptCode: 2468210392...ac (everything up to the last executed OP_CODESEPARATOR ... removed)"
    out.add(new Case("Native P2WSH, executed OP_CODESEPARATOR", second, 1,
        "68210392972e2eb617b2388771abe27235fd5ac44af8e61693261550447a4c3e39da98ac",
        16_777_215, SighashType.SINGLE_ANYONECANPAY, nativeValues.get(3), null));

    // "This example is a P2SH-P2WSH 6-of-6 multisig witness program signed with 6 different
    // SIGHASH types." "value: 9.87654321"; scriptCode is the witnessScript "56210307b8...56ae";
    // the hash types in order: ALL, NONE, SINGLE, ALL|ANYONECANPAY, NONE|ANYONECANPAY,
    // SINGLE|ANYONECANPAY.
    JsonNode p2shP2wsh = example(all, "P2SH-P2WSH");
    List<String> multisigValues = values(p2shP2wsh);
    Transaction multisig = tx(p2shP2wsh.get("unsigned_tx").asText());
    String witnessScript = "56210307b8ae49ac90a048e9b53357a2354b3334e9c8bee813ecb98e99a7e07e8c3ba32103b28f0c28bfab54554ae8c658ac5c3e0ce6e79ad336331f78c428dd43eea8449b21034b8113d703413d57761b8b9781957b8c0ac1dfe69f492580ca4195f50376ba4a21033400f6afecb833092a9a21cfdf1ed1376e58c5d1f47de74683123987e967a8f42103a6d48b1131e94ba04d9737d61acdaa1322008af9602b3b14862c07a1789aac162102d8b661b0b3302ee2f162b09e07a55ad5dfbe673a9f01d9f0c19617681024306b56ae";
    List<SighashType> types = List.of(SighashType.ALL, SighashType.NONE, SighashType.SINGLE,
        SighashType.ALL_ANYONECANPAY, SighashType.NONE_ANYONECANPAY, SighashType.SINGLE_ANYONECANPAY);
    for (int i = 0; i < types.size(); i++) {
      out.add(new Case("P2SH-P2WSH " + types.get(i), multisig, 0, witnessScript, 987_654_321,
          types.get(i), multisigValues.get(i), null));
    }
    return out;
  }

  @Test
  void allFourteenSigHashValues_andTheFourPreimages() throws Exception {
    JsonNode all = examples();
    List<Case> cases = new ArrayList<>(casesWithPreimage(all));
    cases.addAll(p2wshCases(all));

    List<String> failures = new ArrayList<>();
    int preimages = 0;
    for (Case c : cases) {
      TransactionSighasher sighasher =
          new TransactionSighasher(c.tx(), Collections.nCopies(c.tx().inputs().size(), (TxOut) null));
      Script scriptCode = Script.fromHex(c.scriptCodeHex());
      String sigHash = sighasher.segwitV0(c.input(), scriptCode, c.amount(), c.type()).toHex();
      if (!sigHash.equals(c.sigHash())) {
        failures.add(c.name() + ": sigHash " + sigHash + ", expected " + c.sigHash());
      }
      if (c.preimage() != null) {
        preimages++;
        String preimage = Hex.encode(sighasher.segwitV0Preimage(c.input(), scriptCode, c.amount(), c.type()));
        if (!preimage.equals(c.preimage())) {
          failures.add(c.name() + ": preimage " + preimage);
        }
      }
    }
    assertEquals(List.of(), failures);
    assertEquals(4, preimages);
    // Every value the JSON lists was computed, none twice.
    List<String> listed = new ArrayList<>();
    all.forEach(e -> listed.addAll(values(e)));
    assertEquals(14, listed.size());
    assertEquals(listed.stream().sorted().toList(), cases.stream().map(Case::sigHash).sorted().toList());
  }

  /** BIP-143's P2WPKH scriptCode, built from the scriptPubKey the BIP lists for each example. */
  @Test
  void p2wpkhScriptCode_matchesTheExamples() throws Exception {
    JsonNode all = examples();
    // "The second input comes from a P2WPKH witness program: scriptPubKey: 00141d0f172a..."
    Script nativeSpk = Script.fromHex("00141d0f172a0ecb48aee1be1f2687d2963ae33f71a1");
    assertEquals(example(all, "Native P2WPKH").get("with_preimage").get(0).get("scriptCode").asText(),
        "19" + ScriptCodes.p2wpkh(nativeSpk).toHex());
    // "redeemScript : 001479091972186c449eb1ded22b78e40d009bdf0089"
    Script nestedRedeem = Script.fromHex("001479091972186c449eb1ded22b78e40d009bdf0089");
    assertEquals(example(all, "P2SH-P2WPKH").get("with_preimage").get(0).get("scriptCode").asText(),
        "19" + ScriptCodes.p2wpkh(nestedRedeem.witnessProgram()).toHex());
  }

  private static List<String> values(JsonNode example) {
    List<String> out = new ArrayList<>();
    example.get("all_sigHash_values").forEach(v -> out.add(v.asText()));
    return out;
  }

  /** Item 4 of the preimage (after version, hashPrevouts, hashSequence) names the input. */
  private static int inputSpentBy(Transaction tx, byte[] preimage) {
    byte[] outpoint = Arrays.copyOfRange(preimage, 68, 104);
    for (int i = 0; i < tx.inputs().size(); i++) {
      byte[] candidate = Arrays.copyOf(tx.inputs().get(i).prevout().txid().internalBytes(), 36);
      long index = tx.inputs().get(i).prevout().index();
      for (int b = 0; b < 4; b++) {
        candidate[32 + b] = (byte) (index >>> (8 * b));
      }
      if (Arrays.equals(candidate, outpoint)) {
        return i;
      }
    }
    throw new AssertionError("preimage spends no input of the transaction");
  }

  /** The JSON's scriptCode carries its CompactSize length; the API takes the script alone. */
  private static String withoutLength(String hex) throws TxFormatException {
    return Hex.encode(new ByteReader(Hex.decode("scriptCode", hex)).readVarBytes("scriptCode"));
  }

  private static long leLong(String hex) {
    byte[] b = Hex.decode("le", hex);
    long v = 0;
    for (int i = b.length - 1; i >= 0; i--) {
      v = (v << 8) | (b[i] & 0xff);
    }
    return v;
  }
}
