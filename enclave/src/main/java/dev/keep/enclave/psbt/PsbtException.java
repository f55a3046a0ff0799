package dev.keep.enclave.psbt;

/**
 * Bytes that are not a valid PSBT. The only exception {@link Psbt}'s parsers throw for bad input;
 * it names the map, the field and the broken rule, for example {@code "input 2,
 * PSBT_IN_WITNESS_UTXO: value is 30 bytes but must hold exactly one output"}.
 */
public final class PsbtException extends Exception {
  private static final long serialVersionUID = 1L;

  private final PsbtLocation where;
  private final String field;
  private final String rule;

  public PsbtException(PsbtLocation where, String field, String rule) {
    super(where + ", " + field + ": " + rule);
    this.where = where;
    this.field = field;
    this.rule = rule;
  }

  /** The map (or the envelope) the problem is in. */
  public PsbtLocation where() {
    return where;
  }

  /**
   * The field, by its BIP name where it has one ({@code PSBT_IN_PARTIAL_SIG}), else a part name.
   */
  public String field() {
    return field;
  }

  /** The rule that the bytes break. */
  public String rule() {
    return rule;
  }
}
