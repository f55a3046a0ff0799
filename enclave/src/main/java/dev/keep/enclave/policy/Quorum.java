package dev.keep.enclave.policy;

import dev.keep.enclave.keys.XOnlyPublicKey;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * M of N named BIP-340 keys: a policy's approvers, or its admins.
 *
 * @param members by name; no two names share a key, or one signer would count twice
 */
public record Quorum(int threshold, SortedMap<String, XOnlyPublicKey> members) {
  public static final int MAX_MEMBERS = 64;

  public Quorum {
    if (members == null || members.isEmpty() || members.size() > MAX_MEMBERS) {
      throw new IllegalArgumentException("a quorum has 1 to " + MAX_MEMBERS + " members");
    }
    if (threshold < 1 || threshold > members.size()) {
      throw new IllegalArgumentException("threshold must be 1 to the number of members");
    }
    if (new HashSet<>(members.values()).size() != members.size()) {
      throw new IllegalArgumentException("two members share a key");
    }
    for (String name : members.keySet()) {
      if (!Names.isValid(name)) {
        throw new IllegalArgumentException("member name: " + Names.RULE);
      }
    }
    members = Collections.unmodifiableSortedMap(new TreeMap<>(members));
  }

  public static Quorum of(int threshold, Map<String, XOnlyPublicKey> members) {
    return new Quorum(threshold, new TreeMap<>(members));
  }
}
