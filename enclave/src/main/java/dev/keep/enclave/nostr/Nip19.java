package dev.keep.enclave.nostr;

import dev.keep.enclave.keys.SecretKey;
import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.enclave.nostr.Bech32Exception.Rule;
import java.util.Arrays;

/**
 * NIP-19 §Bare keys: {@code npub} and {@code nsec}, bech32 (not bech32m) over the 32 key bytes.
 * These are for people to read and paste; NIP-01 events carry keys as hex only.
 *
 * <p>An nsec is a String, which cannot be wiped: keep it out of logs and let it go out of scope
 * soon. The bytes on either side of it are wiped here, and no error message quotes it.
 */
public final class Nip19 {
  public static final String NPUB = "npub";
  public static final String NSEC = "nsec";

  private Nip19() {}

  public static String encodeNpub(XOnlyPublicKey key) {
    return Bech32.encode(NPUB, key.toBytes());
  }

  /**
   * @throws Bech32Exception naming the rule broken: length, character, mixed case, separator,
   *     human-readable part, checksum or padding
   */
  public static XOnlyPublicKey decodeNpub(String npub) {
    if (hasPrefix(npub, NSEC)) {
      // A secret key pasted where a public key belongs: say so, without echoing it.
      throw new Bech32Exception(NPUB, Rule.HRP, "this is an nsec (a secret key), not an npub");
    }
    byte[] bytes = Bech32.decode(NPUB, NPUB, npub);
    checkLength(NPUB, bytes);
    return XOnlyPublicKey.of(bytes);
  }

  /** The nsec of {@code key}. The returned String holds the secret and cannot be wiped. */
  public static String encodeNsec(SecretKey key) {
    return Bech32.encode(NSEC, key.expose());
  }

  /**
   * The secret key in {@code nsec}. The caller owns it and wipes it ({@link SecretKey#close()}).
   * Whether it is in range for secp256k1 (0 &lt; k &lt; n) is checked by the signing engine.
   *
   * @throws Bech32Exception naming the rule broken; the message never contains the input
   */
  public static SecretKey decodeNsec(String nsec) {
    byte[] bytes = Bech32.decode(NSEC, NSEC, nsec);
    checkLength(NSEC, bytes);
    return SecretKey.adopt(bytes);
  }

  private static void checkLength(String field, byte[] bytes) {
    if (bytes.length != 32) {
      int length = bytes.length;
      Arrays.fill(bytes, (byte) 0);
      throw new Bech32Exception(
          field, Rule.LENGTH, "payload is " + length + " bytes; NIP-19 keys are 32");
    }
  }

  private static boolean hasPrefix(String text, String hrp) {
    return text != null && text.regionMatches(true, 0, hrp + "1", 0, hrp.length() + 1);
  }
}
