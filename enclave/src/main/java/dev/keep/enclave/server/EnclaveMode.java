package dev.keep.enclave.server;

/**
 * Where the enclave runs. In {@code NITRO} mode it refuses what only development may do (plain
 * key import); {@code LOCAL} is a development enclave and says so in every health answer.
 */
public enum EnclaveMode {
  LOCAL("local"),
  NITRO("nitro");

  private final String wireName;

  EnclaveMode(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }
}
