package dev.keep.enclave.policy;

import java.time.Duration;

/**
 * A rolling window of {@code velocity} or {@code max_count}.
 *
 * @param label as the policy wrote it ({@code 24h}), or {@code <seconds>s} for a number
 */
public record Window(String label, Duration length) {
  public static final long MAX_SECONDS = 31_536_000; // 365 days

  public Window {
    if (label == null || length == null) {
      throw new IllegalArgumentException("a window needs a label and a length");
    }
    if (length.getSeconds() < 1 || length.getSeconds() > MAX_SECONDS || length.getNano() != 0) {
      throw new IllegalArgumentException("a window is 1 to " + MAX_SECONDS + " whole seconds");
    }
  }

  public static Window ofSeconds(long seconds) {
    return new Window(seconds + "s", Duration.ofSeconds(seconds));
  }
}
