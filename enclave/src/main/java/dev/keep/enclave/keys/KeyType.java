package dev.keep.enclave.keys;

/** What a key is: one secp256k1 key, or a BIP-32 root the enclave derives children from. */
public enum KeyType {
  SINGLE("single"),
  HD("hd");

  private final String wireName;

  KeyType(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static KeyType fromWireName(String name) {
    for (KeyType t : values()) {
      if (t.wireName.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("spec.type: must be single or hd; got '" + name + "'");
  }
}
