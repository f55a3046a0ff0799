package dev.keep.api.auth;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Making API keys, and refusing weak ones. Keys are stored as a plain SHA-256 ({@link
 * TenantAuthenticator#hash}), which is safe only because a key has at least {@link #MIN_BITS} bits
 * of entropy: guessing one is then as hard as finding a SHA-256 preimage. A key an operator chooses
 * must show that much; Keep's own keys are 256 random bits.
 */
public final class ApiKeys {
  /** What a key must carry: as much as a random AES-128 key. */
  public static final int MIN_BITS = 128;

  private static final Pattern ALPHABET = Pattern.compile("[A-Za-z0-9._~+/=-]{1,256}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeys() {}

  /** A fresh key: {@code prefix} and 32 random bytes, base64url without padding (256 bits). */
  public static String generate(String prefix) {
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }

  /**
   * Why {@code key} is too weak to be an API key, or empty when it is strong enough. Its entropy is
   * estimated twice and must pass both: from its length and the character classes it uses (as if
   * each character were drawn at random from them), which refuses short keys; and from how often
   * each character occurs in it (Shannon, per character), which refuses keys made of a few
   * repeated characters however long. Neither can see a dictionary word; both catch what a person
   * types when asked for a key.
   */
  public static Optional<String> weakness(String key) {
    if (key == null || !ALPHABET.matcher(key).matches()) {
      return Optional.of("must be 1 to 256 characters of A-Z a-z 0-9 . _ ~ + / = -");
    }
    int pool = 0;
    pool += key.chars().anyMatch(c -> c >= 'a' && c <= 'z') ? 26 : 0;
    pool += key.chars().anyMatch(c -> c >= 'A' && c <= 'Z') ? 26 : 0;
    pool += key.chars().anyMatch(c -> c >= '0' && c <= '9') ? 10 : 0;
    pool += key.chars().anyMatch(c -> "._~+/=-".indexOf(c) >= 0) ? 7 : 0;
    double poolBits = key.length() * log2(pool);
    if (poolBits < MIN_BITS) {
      return Optional.of(String.format(
          "is too short: %d characters from a set of %d carry at most %.0f bits; at least %d are needed"
              + " (e.g. 22 random characters of A-Z a-z 0-9, or 32 random hex digits)",
          key.length(), pool, poolBits, MIN_BITS));
    }
    double perCharacter = shannon(key);
    // A random key over 16 or more symbols shows well over 3 bits per character; "abcabcabc..."
    // shows 1.6 and "aaaa..." 0.
    if (perCharacter < 3.0) {
      return Optional.of(String.format(
          "has too little variety: %.1f bits per character (at least 3.0); it repeats a few characters", perCharacter));
    }
    return Optional.empty();
  }

  private static double shannon(String key) {
    Map<Character, Integer> counts = new HashMap<>();
    for (char c : key.toCharArray()) {
      counts.merge(c, 1, Integer::sum);
    }
    double bits = 0;
    for (int n : counts.values()) {
      double p = (double) n / key.length();
      bits -= p * log2(p);
    }
    return bits;
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
