package dev.keep.enclave.bitcoin.sighash;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.bitcoin.tx.Transaction;
import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.schema.encoding.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * BIP-341 wallet test vectors, {@code keyPathSpending}: the transaction-wide hashes, and for each
 * of the 7 inputs its sigMsg (epoch byte first) and sigHash. The tweak, tweaked key and witness are
 * checked by {@code TapTweakBip341Test}.
 */
class SighashBip341Test {

  static JsonNode keyPathSpending() throws IOException {
    try (InputStream in =
        SighashBip341Test.class.getResourceAsStream("/vectors/bip341-wallet-test-vectors.json")) {
      return new ObjectMapper().readTree(in).get("keyPathSpending").get(0);
    }
  }

  static Transaction transaction(JsonNode vector) throws Exception {
    return Transaction.parse(Hex.decode("rawUnsignedTx", vector.get("given").get("rawUnsignedTx").asText()), false);
  }

  static List<TxOut> utxosSpent(JsonNode vector) {
    List<TxOut> out = new ArrayList<>();
    for (JsonNode u : vector.get("given").get("utxosSpent")) {
      out.add(new TxOut(u.get("amountSats").asLong(), Script.fromHex(u.get("scriptPubKey").asText())));
    }
    return out;
  }

  @Test
  void transactionWideHashes_matchTheIntermediaryValues() throws Exception {
    JsonNode vector = keyPathSpending();
    SharedHashes shared = new SharedHashes(transaction(vector), utxosSpent(vector));
    JsonNode expected = vector.get("intermediary");
    Map<String, Supplier<byte[]>> computed = Map.of(
        "hashPrevouts", shared::shaPrevouts,
        "hashAmounts", shared::shaAmounts,
        "hashScriptPubkeys", shared::shaScriptPubKeys,
        "hashSequences", shared::shaSequences,
        "hashOutputs", shared::shaOutputs);
    List<String> failures = new ArrayList<>();
    computed.forEach((name, hash) -> {
      String actual = Hex.encode(hash.get());
      if (!actual.equals(expected.get(name).asText())) {
        failures.add(name + ": " + actual);
      }
    });
    assertEquals(List.of(), failures);
    assertEquals(5, expected.size());
  }

  @Test
  void everyInput_sigMsgAndSigHash() throws Exception {
    JsonNode vector = keyPathSpending();
    TransactionSighasher sighasher = new TransactionSighasher(transaction(vector), utxosSpent(vector));
    List<String> failures = new ArrayList<>();
    int run = 0;
    for (JsonNode input : vector.get("inputSpending")) {
      run++;
      int index = input.get("given").get("txinIndex").asInt();
      SighashType type = SighashType.of(input.get("given").get("hashType").asLong());
      JsonNode expected = input.get("intermediary");
      String sigMsg = Hex.encode(sighasher.taprootSigMsg(index, type));
      if (!sigMsg.equals(expected.get("sigMsg").asText())) {
        failures.add("input " + index + " " + type + ": sigMsg " + sigMsg);
      }
      String sigHash = sighasher.taprootKeyPath(index, type).toHex();
      if (!sigHash.equals(expected.get("sigHash").asText())) {
        failures.add("input " + index + " " + type + ": sigHash " + sigHash);
      }
    }
    assertEquals(List.of(), failures);
    assertEquals(7, run);
  }
}
