package dev.keep.enclave.keys;

import java.util.Arrays;
import java.util.Locale;

/**
 * The Bitcoin network a key is configured for. It is fixed when the key is made: addresses and
 * extended keys are rendered for it, and a request naming another network is refused rather than
 * relabelled.
 */
public enum Network {
  MAINNET("mainnet", 0x0488B21E, 0x0488ADE4, 0),
  TESTNET("testnet", 0x043587CF, 0x04358394, 1),
  SIGNET("signet", 0x043587CF, 0x04358394, 1),
  REGTEST("regtest", 0x043587CF, 0x04358394, 1);

  private final String wireName;
  private final int xpubVersion;
  private final int xprvVersion;
  private final int coinType;

  Network(String wireName, int xpubVersion, int xprvVersion, int coinType) {
    this.wireName = wireName;
    this.xpubVersion = xpubVersion;
    this.xprvVersion = xprvVersion;
    this.coinType = coinType;
  }

  /** The name used on the wire and in the CLI: mainnet, testnet, signet, regtest. */
  public String wireName() {
    return wireName;
  }

  /** BIP-32 §Serialization format: version bytes of an extended public key (xpub / tpub). */
  public int xpubVersion() {
    return xpubVersion;
  }

  /** BIP-32 §Serialization format: version bytes of an extended private key (xprv / tprv). */
  public int xprvVersion() {
    return xprvVersion;
  }

  /** SLIP-44 coin type used in BIP-44/49/84/86 account paths: 0 for mainnet, 1 for every test network. */
  public int coinType() {
    return coinType;
  }

  public static Network fromWireName(String name) {
    return Arrays.stream(values())
        .filter(n -> n.wireName.equals(name == null ? "" : name.toLowerCase(Locale.ROOT)))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "network: must be one of mainnet, testnet, signet, regtest; got '" + name + "'"));
  }
}
