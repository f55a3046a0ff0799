package dev.keep.enclave.bitcoin.taproot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.sighash.SighashType;
import dev.keep.enclave.bitcoin.sighash.TransactionSighasher;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.keys.SecretKey;
import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.enclave.signing.SigningEngine;
import dev.keep.schema.encoding.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.SegwitAddress;
import org.junit.jupiter.api.Test;

/**
 * BIP-341 wallet test vectors: the 7 {@code scriptPubKey} cases (leaf hashes and merkle root built
 * from the script tree, tweak, output key, scriptPubKey, and the BIP-350 address through bitcoinj)
 * and the 7 {@code keyPathSpending} inputs (internal key, tweak, tweaked secret key and the
 * witness signature, made with 32 zero bytes of aux randomness as the vectors were).
 */
class TapTweakBip341Test {
  private static final SigningEngine ENGINE = new LibSecp256k1Engine();

  static JsonNode vectors() throws IOException {
    try (InputStream in =
        TapTweakBip341Test.class.getResourceAsStream("/vectors/bip341-wallet-test-vectors.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  @Test
  void scriptPubKey_allSevenCases() throws IOException {
    List<String> failures = new ArrayList<>();
    int run = 0;
    for (JsonNode c : vectors().get("scriptPubKey")) {
      String name = "case " + run++;
      XOnlyPublicKey internal = XOnlyPublicKey.of(hex(c.get("given").get("internalPubkey")));
      JsonNode tree = c.get("given").get("scriptTree");
      JsonNode expected = c.get("intermediary");

      Optional<TapNodeHash> root = Optional.empty();
      if (!tree.isNull()) {
        List<TapNodeHash> leaves = new ArrayList<>();
        root = Optional.of(merkleRoot(tree, leaves));
        List<String> expectedLeaves = new ArrayList<>();
        expected.get("leafHashes").forEach(h -> expectedLeaves.add(h.asText()));
        List<String> leafHashes = leaves.stream().map(TapNodeHash::toHex).toList();
        if (!leafHashes.equals(expectedLeaves)) {
          failures.add(name + ": leaf hashes " + leafHashes);
        }
      }
      String merkleRoot = root.map(TapNodeHash::toHex).orElse(null);
      String expectedRoot = expected.get("merkleRoot").isNull() ? null : expected.get("merkleRoot").asText();
      if (!Objects.equals(merkleRoot, expectedRoot)) {
        failures.add(name + ": merkle root " + merkleRoot);
      }

      check(failures, name + " tweak", expected.get("tweak"), TapTweak.tweak(internal, root).toHex());
      OutputKey q = TapTweak.outputKey(internal, root);
      check(failures, name + " tweakedPubkey", expected.get("tweakedPubkey"), q.key().toHex());
      Script spk = TapTweak.p2trScript(internal, root);
      check(failures, name + " scriptPubKey", c.get("expected").get("scriptPubKey"), spk.toHex());
      String address = SegwitAddress.fromProgram(BitcoinNetwork.MAINNET, 1, spk.witnessProgram()).toString();
      check(failures, name + " bip350Address", c.get("expected").get("bip350Address"), address);
    }
    assertEquals(List.of(), failures);
    assertEquals(7, run);
  }

  @Test
  void keyPathSpending_allSevenInputs_tweakKeyAndWitness() throws Exception {
    JsonNode vector = vectors().get("keyPathSpending").get(0);
    Transaction tx = Transaction.parse(hex(vector.get("given").get("rawUnsignedTx")), false);
    List<TxOut> spent = new ArrayList<>();
    for (JsonNode u : vector.get("given").get("utxosSpent")) {
      spent.add(new TxOut(u.get("amountSats").asLong(), Script.fromHex(u.get("scriptPubKey").asText())));
    }
    TransactionSighasher sighasher = new TransactionSighasher(tx, spent);
    KeyPathSigner signer = new KeyPathSigner(ENGINE);

    List<String> failures = new ArrayList<>();
    int run = 0;
    for (JsonNode input : vector.get("inputSpending")) {
      run++;
      JsonNode given = input.get("given");
      JsonNode expected = input.get("intermediary");
      int index = given.get("txinIndex").asInt();
      String name = "input " + index;
      Optional<TapNodeHash> root = given.get("merkleRoot").isNull()
          ? Optional.empty() : Optional.of(TapNodeHash.of(hex(given.get("merkleRoot"))));
      SighashType type = SighashType.of(given.get("hashType").asLong());

      try (SecretKey internal = SecretKey.adopt(hex(given.get("internalPrivkey")))) {
        XOnlyPublicKey internalKey = ENGINE.publicKey(internal).xOnly();
        check(failures, name + " internalPubkey", expected.get("internalPubkey"), internalKey.toHex());
        check(failures, name + " tweak", expected.get("tweak"), TapTweak.tweak(internalKey, root).toHex());
        try (SecretKey tweaked = TapTweak.tweakSecretKey(internal, root)) {
          check(failures, name + " tweakedPrivkey", expected.get("tweakedPrivkey"), Hex.encode(tweaked.expose()));
        }
        // The spent output is locked to the output key the internal key and root give.
        Script spk = TapTweak.p2trScript(internalKey, root);
        check(failures, name + " spent scriptPubKey", spent.get(index).scriptPubKey().toHex(), spk.toHex());

        TaprootSignature signature = signer.sign(sighasher, index, type, internal, root, new byte[32]);
        check(failures, name + " witness", input.get("expected").get("witness").get(0),
            Hex.encode(signature.toWitnessBytes()));
        check(failures, name + " internal secret after signing", given.get("internalPrivkey"),
            Hex.encode(internal.expose()));
      }
    }
    assertEquals(List.of(), failures);
    assertEquals(7, run);
  }

  /** BIP-341's script tree in the vectors' JSON: a leaf object, or an array of two subtrees. */
  private static TapNodeHash merkleRoot(JsonNode tree, List<TapNodeHash> leavesById) {
    if (tree.isArray()) {
      if (tree.size() != 2) {
        throw new AssertionError("a branch has two children");
      }
      return TapNodeHash.branch(merkleRoot(tree.get(0), leavesById), merkleRoot(tree.get(1), leavesById));
    }
    TapNodeHash leaf = TapNodeHash.leaf(tree.get("leafVersion").asInt(), Script.fromHex(tree.get("script").asText()));
    int id = tree.get("id").asInt();
    while (leavesById.size() <= id) {
      leavesById.add(null);
    }
    leavesById.set(id, leaf);
    return leaf;
  }

  private static void check(List<String> failures, String what, JsonNode expected, String actual) {
    check(failures, what, expected.asText(), actual);
  }

  private static void check(List<String> failures, String what, String expected, String actual) {
    if (!actual.equals(expected)) {
      failures.add(what + ": " + actual + ", expected " + expected);
    }
  }

  private static byte[] hex(JsonNode node) {
    return Hex.decode("vector", node.asText());
  }
}
