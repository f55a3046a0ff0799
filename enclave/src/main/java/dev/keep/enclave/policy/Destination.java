package dev.keep.enclave.policy;

import dev.keep.enclave.bitcoin.script.Script;

/**
 * An address from a destination list and the output script it stands for on the key's network.
 * Lists are compared by script, so any rendering of the same script matches.
 */
public record Destination(String address, Script script) {
  public Destination {
    if (address == null || script == null) {
      throw new IllegalArgumentException("a destination needs an address and a script");
    }
  }
}
