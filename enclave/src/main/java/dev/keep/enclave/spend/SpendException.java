package dev.keep.enclave.spend;

/**
 * A PSBT the enclave will not sign because what it says cannot be verified or does not add up.
 * The message names the place ({@code input 2}, {@code output 0}, {@code transaction}), the
 * field and the rule.
 */
public final class SpendException extends Exception {
  private final Kind kind;

  public enum Kind {
    /** The PSBT is inconsistent or lacks data the enclave needs. */
    INVALID,
    /** The PSBT is well formed but asks for something the rules do not allow. */
    DENIED
  }

  public SpendException(Kind kind, String where, String rule) {
    super(where + ": " + rule);
    this.kind = kind;
  }

  public static SpendException invalid(String where, String rule) {
    return new SpendException(Kind.INVALID, where, rule);
  }

  public static SpendException denied(String where, String rule) {
    return new SpendException(Kind.DENIED, where, rule);
  }

  public Kind kind() {
    return kind;
  }
}
