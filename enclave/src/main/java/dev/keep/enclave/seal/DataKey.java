package dev.keep.enclave.seal;

import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;

/**
 * An AES-256 data key that KMS made for one Keep key. It seals that key and its policy state; it
 * is held only in enclave memory, prints {@code <redacted>} and is wiped by {@link #close()}.
 */
public final class DataKey implements AutoCloseable {
  public static final int LENGTH = 32;

  private final byte[] key;

  private DataKey(byte[] key) {
    this.key = key;
  }

  /** Takes a copy of {@code bytes}, which the caller wipes. */
  static DataKey copyOf(byte[] bytes) throws SealingException {
    if (bytes.length != LENGTH) {
      throw new SealingException("the data key is " + bytes.length + " bytes; Keep asks KMS for AES_256 (32 bytes)");
    }
    return new DataKey(bytes.clone());
  }

  /**
   * A JCA key for one cipher operation. {@code SecretKeySpec} keeps its own copy, which this class
   * cannot wipe; it lives only as long as that operation's objects.
   */
  SecretKeySpec spec() {
    return new SecretKeySpec(key, "AES");
  }

  @Override
  public void close() {
    Arrays.fill(key, (byte) 0);
  }

  @Override
  public String toString() {
    return "DataKey[<redacted>]";
  }
}
