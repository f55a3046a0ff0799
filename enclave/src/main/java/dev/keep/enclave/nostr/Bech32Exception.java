package dev.keep.enclave.nostr;

/**
 * A string that is not valid bech32 (BIP-173) or not the NIP-19 entity that was asked for. The
 * message names the field and the broken rule; it never quotes the input, which may be an nsec.
 */
public final class Bech32Exception extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** Which rule the input broke, for callers that answer differently per rule. */
  public enum Rule {
    /** BIP-173: at most 90 characters, a data part of at least 6; NIP-19: a 32-byte payload. */
    LENGTH,
    /** BIP-173: characters are US-ASCII 33-126, and the data part uses only the bech32 alphabet. */
    CHARACTER,
    /** BIP-173 §Uppercase/lowercase: decoders MUST NOT accept mixed case. */
    MIXED_CASE,
    /** BIP-173: a separator "1" after a non-empty human-readable part. */
    SEPARATOR,
    /** NIP-19 §Bare keys: the human-readable part says what the payload is ("npub", "nsec"). */
    HRP,
    /** BIP-173 §Checksum: the polymod of the expanded HRP and the data must be 1. */
    CHECKSUM,
    /** BIP-173: in the 5-to-8-bit conversion, leftover bits are at most 4 and all zero. */
    PADDING
  }

  private final Rule rule;

  Bech32Exception(String field, Rule rule, String detail) {
    super(field + ": " + detail);
    this.rule = rule;
  }

  public Rule rule() {
    return rule;
  }
}
