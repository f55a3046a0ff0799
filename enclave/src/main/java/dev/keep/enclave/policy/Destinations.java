package dev.keep.enclave.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.enclave.bitcoin.script.Script;
import dev.keep.enclave.keys.Network;
import dev.keep.enclave.spend.Addresses;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bitcoinj.base.Address;
import org.bitcoinj.base.AddressParser;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.exceptions.AddressFormatException;
import org.bitcoinj.script.ScriptBuilder;

/**
 * Reads a destination list: each address is parsed for the key's network (Base58Check, BIP-173
 * bech32, BIP-350 bech32m, through bitcoinj) and kept as the output script it pays. An address of
 * another network is refused, so a list cannot hold a script "for mainnet" that a testnet key would
 * then compare against.
 */
final class Destinations {
  static final int MAX_PER_LIST = 1000;

  /** BIP-173: a bech32 string is at most 90 characters; Base58 addresses are shorter. */
  static final int MAX_ADDRESS_LENGTH = 90;

  private Destinations() {}

  static List<Destination> list(JsonNode node, String path, int min, Network network)
      throws PolicyException {
    JsonFields.array(node, path, min, MAX_PER_LIST);
    List<Destination> out = new ArrayList<>(node.size());
    Map<Script, Integer> seen = new HashMap<>();
    for (int i = 0; i < node.size(); i++) {
      String at = JsonFields.at(path, i);
      Destination d = parse(JsonFields.text(node.get(i), at), at, network);
      Integer earlier = seen.putIfAbsent(d.script(), i);
      if (earlier != null) {
        throw new PolicyException(at, "pays the same script as entry " + earlier);
      }
      out.add(d);
    }
    return out;
  }

  static Destination parse(String address, String path, Network network) throws PolicyException {
    if (address.isEmpty()
        || address.length() > MAX_ADDRESS_LENGTH
        || !address.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new PolicyException(
          path,
          "must be an address: 1 to " + MAX_ADDRESS_LENGTH + " printable characters, no spaces");
    }
    try {
      Address parsed = AddressParser.getDefault(Addresses.bitcoinj(network)).parseAddress(address);
      return new Destination(
          address, Script.of(ScriptBuilder.createOutputScript(parsed).program()));
    } catch (AddressFormatException e) {
      Optional<String> other = otherNetwork(address, network);
      if (other.isPresent()) {
        throw new PolicyException(
            path,
            address + " is " + other.get() + " address; this policy is for " + network.wireName());
      }
      throw new PolicyException(
          path, address + " is not a valid " + network.wireName() + " address");
    }
  }

  /** "a mainnet" when {@code address} is valid on a network other than the key's. */
  private static Optional<String> otherNetwork(String address, Network network) {
    try {
      Address parsed = AddressParser.getDefault().parseAddress(address);
      if (!(parsed.network() instanceof BitcoinNetwork net) || net == Addresses.bitcoinj(network)) {
        return Optional.empty();
      }
      return Optional.of(
          switch (net) {
            case MAINNET -> "a mainnet";
            case TESTNET, SIGNET -> "a testnet or signet";
            case REGTEST -> "a regtest";
          });
    } catch (AddressFormatException e) {
      return Optional.empty();
    }
  }
}
