package dev.keep.enclave.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.XOnlyPublicKey;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads {@code threshold} and a name-to-key object ({@code approvers} of an {@code approvals} rule,
 * {@code keys} of {@code admins}) into a {@link Quorum}.
 */
final class QuorumParser {
  private QuorumParser() {}

  static Quorum parse(JsonNode object, String path, String membersField) throws PolicyException {
    String membersPath = JsonFields.at(path, membersField);
    JsonNode members =
        JsonFields.object(JsonFields.required(object, path, membersField), membersPath);
    if (members.isEmpty() || members.size() > Quorum.MAX_MEMBERS) {
      throw new PolicyException(membersPath, "must name 1 to " + Quorum.MAX_MEMBERS + " keys");
    }
    TreeMap<String, XOnlyPublicKey> keys = new TreeMap<>();
    Map<XOnlyPublicKey, String> owners = new HashMap<>();
    for (Map.Entry<String, JsonNode> member : members.properties()) {
      String at = JsonFields.at(membersPath, Text.printable(member.getKey()));
      if (!Names.isValid(member.getKey())) {
        throw new PolicyException(at, "name " + Names.RULE);
      }
      XOnlyPublicKey key = xOnlyKey(JsonFields.text(member.getValue(), at), at);
      String owner = owners.putIfAbsent(key, member.getKey());
      if (owner != null) {
        // Two names for one key would let one signer count twice.
        throw new PolicyException(at, "same key as " + owner);
      }
      keys.put(member.getKey(), key);
    }
    String thresholdPath = JsonFields.at(path, "threshold");
    long threshold =
        JsonFields.positive(
            JsonFields.required(object, path, "threshold"), thresholdPath, Long.MAX_VALUE);
    if (threshold > keys.size()) {
      throw new PolicyException(
          thresholdPath,
          "must be at most the number of " + membersField + " (" + keys.size() + ")");
    }
    return new Quorum((int) threshold, keys);
  }

  /**
   * 64 lowercase hex digits that are the X coordinate of a point on secp256k1 (BIP-340 §Public Key
   * Conversion: lift_x fails otherwise, and no signature could ever verify).
   */
  private static XOnlyPublicKey xOnlyKey(String hex, String path) throws PolicyException {
    boolean lowerHex = hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    if (hex.length() != 2 * XOnlyPublicKey.LENGTH || !lowerHex) {
      throw new PolicyException(path, "must be 64 lowercase hex digits (an x-only public key)");
    }
    byte[] even = new byte[PublicKey.LENGTH];
    even[0] = 0x02;
    for (int i = 0; i < XOnlyPublicKey.LENGTH; i++) {
      even[1 + i] = (byte) Integer.parseInt(hex, 2 * i, 2 * i + 2, 16);
    }
    if (PublicKey.problemWith(even) != null) {
      throw new PolicyException(path, "is not the X coordinate of a point on secp256k1");
    }
    return XOnlyPublicKey.of(Arrays.copyOfRange(even, 1, even.length));
  }
}
