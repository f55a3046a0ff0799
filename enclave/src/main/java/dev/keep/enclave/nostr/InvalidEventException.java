package dev.keep.enclave.nostr;

/**
 * A Nostr event that breaks a NIP-01 rule or one of Keep's limits. The message is {@code
 * "<path>: <rule>"}, for example {@code "event.tags[3][0]: must be a string"}.
 */
public final class InvalidEventException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String path;

  InvalidEventException(String path, String rule) {
    super(path + ": " + rule);
    this.path = path;
  }

  /** Where in the event the rule was broken, such as {@code event.tags[3][0]}. */
  public String path() {
    return path;
  }
}
