package dev.keep.enclave.keys;

import dev.keep.schema.protocol.EnclaveRequest;

/**
 * A key's configuration, fixed when it is made. {@code allowDigests} lets the key sign bare
 * 32-byte digests (and 32-byte BIP-340 messages, which are indistinguishable from them); it is
 * off unless asked for.
 */
public record KeyConfig(KeyType type, Network network, boolean allowDigests) {
  public static KeyConfig from(EnclaveRequest.KeySpec spec) {
    return new KeyConfig(
        KeyType.fromWireName(spec.type()), Network.fromWireName(spec.network()), spec.allowDigests());
  }

  public EnclaveRequest.KeySpec toSpec() {
    return new EnclaveRequest.KeySpec(type.wireName(), network.wireName(), allowDigests);
  }
}
