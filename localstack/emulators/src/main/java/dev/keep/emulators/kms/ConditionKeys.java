package dev.keep.emulators.kms;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The condition keys a key policy may test here, and how they are named and checked.
 *
 * <ul>
 *   <li>{@code kms:RecipientAttestation:ImageSha384}: PCR0 of the verified attestation document
 *       (AWS KMS developer guide, "Condition keys for Nitro Enclaves",
 *       https://docs.aws.amazon.com/kms/latest/developerguide/conditions-nitro-enclave.html);
 *   <li>{@code kms:RecipientAttestation:PCR0} .. {@code PCR8}: the document's PCRs (same page);
 *   <li>{@code kms:EncryptionContext:<key>}: the value of that pair in the request's encryption
 *       context (developer guide, "kms:EncryptionContext:context-key").
 * </ul>
 *
 * Condition key names are not case-sensitive in IAM, so keys are compared in lower case. The
 * attestation keys exist only in a request with a Recipient; values are lower-case hex, as KMS
 * presents them (and logs them in CloudTrail).
 */
final class ConditionKeys {
  static final String IMAGE_SHA384 = "kms:RecipientAttestation:ImageSha384";
  static final String PCR_PREFIX = "kms:RecipientAttestation:PCR";
  static final String ENCRYPTION_CONTEXT_PREFIX = "kms:EncryptionContext:";
  static final int MAX_PCR = 8;

  private static final Pattern PCR = Pattern.compile("kms:recipientattestation:pcr[0-8]");
  private static final Pattern SHA384_HEX = Pattern.compile("[0-9a-fA-F]{96}");

  private ConditionKeys() {}

  /** What a condition key is about, which decides how its values are checked and explained. */
  enum Kind {
    ATTESTATION,
    ENCRYPTION_CONTEXT
  }

  /** The form a key is looked up by: IAM matches condition key names ignoring case. */
  static String normalize(String key) {
    return key.toLowerCase(Locale.ROOT);
  }

  static String pcrKey(int index) {
    return PCR_PREFIX + index;
  }

  /**
   * The kind of {@code key}, or MalformedPolicyDocumentException naming {@code path} when this
   * endpoint does not know the key (a typo would otherwise make a condition that never holds).
   */
  static Kind kindOf(String key, String path) {
    String normalized = normalize(key);
    if (normalized.equals(normalize(IMAGE_SHA384)) || PCR.matcher(normalized).matches()) {
      return Kind.ATTESTATION;
    }
    if (normalized.startsWith(normalize(ENCRYPTION_CONTEXT_PREFIX))
        && normalized.length() > ENCRYPTION_CONTEXT_PREFIX.length()) {
      return Kind.ENCRYPTION_CONTEXT;
    }
    throw KeyPolicy.malformed(
        path,
        "unknown condition key; Keep's local KMS knows "
            + IMAGE_SHA384
            + ", "
            + PCR_PREFIX
            + "0.."
            + MAX_PCR
            + " and "
            + ENCRYPTION_CONTEXT_PREFIX
            + "<key>");
  }

  /**
   * An attestation value in a policy must be a SHA-384 digest in hex (96 digits): any other value
   * could never match a document, so it is refused when the policy is set rather than denying every
   * request later.
   */
  static void checkAttestationValue(String value, String path) {
    if (!SHA384_HEX.matcher(value).matches()) {
      throw KeyPolicy.malformed(
          path, "\"" + value + "\" is not 96 hex digits (a SHA-384 measurement)");
    }
  }
}
