package dev.keep.enclave.policy;

import java.util.Arrays;
import java.util.Optional;

/** What a signing job signs, as {@code allowed_kinds} names it. */
public enum JobKind {
  MESSAGE("message"),
  NOSTR_EVENT("nostr_event"),
  PSBT("psbt"),
  DIGEST("digest");

  private final String wireName;

  JobKind(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static Optional<JobKind> fromWireName(String name) {
    return Arrays.stream(values()).filter(k -> k.wireName.equals(name)).findFirst();
  }
}
