package dev.keep.enclave.keys.hd;

/**
 * A derivation path, seed or serialized extended key broke a BIP-32 rule. The message starts with
 * the field at fault ({@code path}, {@code seed}, {@code version}, {@code depth}, {@code key}, ...)
 * and states the rule; it never contains key material or the text that was parsed.
 *
 * <p>It extends {@link IllegalArgumentException} because the rest of Keep reports unparseable input
 * that way ({@code Hex.decode}, {@code Network.fromWireName}); the subtype lets a caller tell bad
 * input from programmer misuse, which throws a plain {@code IllegalArgumentException}.
 */
public final class Bip32Exception extends IllegalArgumentException {
  private final String field;

  Bip32Exception(String field, String rule) {
    super(field + ": " + rule);
    this.field = field;
  }

  /** The field that broke the rule, e.g. {@code "version"} or {@code "path"}. */
  public String field() {
    return field;
  }
}
