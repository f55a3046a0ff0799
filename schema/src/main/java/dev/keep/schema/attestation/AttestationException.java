package dev.keep.schema.attestation;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An attestation document failed verification. One subclass per check, so that a {@code switch}
 * over them is exhaustive; {@link #check()} names the check in a word for logs and the CLI.
 *
 * <p>A message starts with the check's name and gives the values that disagree: which field,
 * which certificate (subject, validity, the verification time), which PCR (expected and found).
 * Nothing in a document is secret, so values are printed; long ones are shortened.
 */
public abstract sealed class AttestationException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The checks, in the order the verifier runs them. */
  public enum Check {
    STRUCTURE("structure"),
    ALGORITHM("algorithm"),
    DIGEST("digest"),
    SIGNATURE("signature"),
    ROOT("root"),
    CHAIN("chain"),
    VALIDITY("validity"),
    DEBUG("debug"),
    PCRS("pcrs"),
    NONCE("nonce"),
    PUBLIC_KEY("public_key");

    private final String label;

    Check(String label) {
      this.label = label;
    }

    /** The check's name in messages: {@code "validity"}, {@code "pcrs"}, ... */
    public String label() {
      return label;
    }
  }

  private final Check check;

  private AttestationException(Check check, String details) {
    super(check.label() + ": " + details);
    this.check = check;
  }

  public Check check() {
    return check;
  }

  /**
   * The bytes are not a COSE_Sign1 attestation document as RFC 9052 §4.2 and the Nitro
   * attestation document specification define it; the message names the field and the rule.
   */
  public static final class Malformed extends AttestationException {
    private static final long serialVersionUID = 1L;

    Malformed(String details) {
      super(Check.STRUCTURE, details);
    }
  }

  /** The protected header does not say alg = ES384 (-35), or names critical headers. */
  public static final class WrongAlgorithm extends AttestationException {
    private static final long serialVersionUID = 1L;

    WrongAlgorithm(String details) {
      super(Check.ALGORITHM, details);
    }
  }

  /** The payload's {@code digest} is not "SHA384". */
  public static final class WrongDigest extends AttestationException {
    private static final long serialVersionUID = 1L;

    private final String found;

    WrongDigest(String found) {
      super(Check.DIGEST, "digest is \"" + found + "\", expected \"SHA384\"");
      this.found = found;
    }

    public String found() {
      return found;
    }
  }

  /** The COSE signature does not verify with the leaf certificate's key. */
  public static final class BadSignature extends AttestationException {
    private static final long serialVersionUID = 1L;

    BadSignature(String details) {
      super(Check.SIGNATURE, details);
    }
  }

  /** The first certificate of the cabundle is not the trusted root. */
  public static final class UntrustedRoot extends AttestationException {
    private static final long serialVersionUID = 1L;

    UntrustedRoot(String details) {
      super(Check.ROOT, details);
    }
  }

  /**
   * The certificates do not form a valid path from the root to the leaf: an issuer name that
   * does not match, a certificate signature that does not verify, a CA without the CA flag or
   * keyCertSign, a path longer than a pathLenConstraint, a leaf that is a CA.
   */
  public static final class BrokenChain extends AttestationException {
    private static final long serialVersionUID = 1L;

    BrokenChain(String details) {
      super(Check.CHAIN, details);
    }
  }

  /** A certificate of the chain, root included, is not valid at the verification time. */
  public static final class CertificateNotValid extends AttestationException {
    private static final long serialVersionUID = 1L;

    private final String subject;
    private final Instant notBefore;
    private final Instant notAfter;
    private final Instant at;

    CertificateNotValid(String role, X509Certificate certificate, Instant at) {
      super(Check.VALIDITY, describe(role, certificate, at));
      this.subject = certificate.getSubjectX500Principal().getName();
      this.notBefore = certificate.getNotBefore().toInstant();
      this.notAfter = certificate.getNotAfter().toInstant();
      this.at = at;
    }

    private static String describe(String role, X509Certificate certificate, Instant at) {
      Instant notBefore = certificate.getNotBefore().toInstant();
      Instant notAfter = certificate.getNotAfter().toInstant();
      String what = at.isAfter(notAfter)
          ? "expired: notAfter " + notAfter + " is before the verification time " + at
          : "not yet valid: notBefore " + notBefore + " is after the verification time " + at;
      return role + " certificate \"" + certificate.getSubjectX500Principal().getName() + "\" " + what;
    }

    public String subject() {
      return subject;
    }

    public Instant notBefore() {
      return notBefore;
    }

    public Instant notAfter() {
      return notAfter;
    }

    /** The instant the chain was checked at. */
    public Instant at() {
      return at;
    }
  }

  /** PCR0, PCR1 and PCR2 are all zero (a debug-mode enclave) and debug mode was not allowed. */
  public static final class DebugMode extends AttestationException {
    private static final long serialVersionUID = 1L;

    DebugMode() {
      super(
          Check.DEBUG,
          "PCR0, PCR1 and PCR2 are all zero: the enclave runs in debug mode, whose memory the parent"
              + " can read; refused unless debug mode is allowed");
    }
  }

  /** The document's PCRs match none of the allowed sets. */
  public static final class PcrMismatch extends AttestationException {
    private static final long serialVersionUID = 1L;

    /** One PCR that differs: {@code found} is null when the document lacks the index. */
    public record Difference(int index, Pcr expected, Pcr found) {
      @Override
      public String toString() {
        return "PCR" + index + " expected " + expected.hex() + " found "
            + (found == null ? "(absent)" : found.hex());
      }
    }

    private final transient List<Difference> closest;

    PcrMismatch(int allowedSets, int closestSet, List<Difference> closest) {
      super(Check.PCRS, describe(allowedSets, closestSet, closest));
      this.closest = List.copyOf(closest);
    }

    private static String describe(int allowedSets, int closestSet, List<Difference> closest) {
      String which = allowedSets == 1
          ? "the PCRs do not match the allowed set: "
          : "the PCRs match none of the " + allowedSets + " allowed sets; closest is set "
              + (closestSet + 1) + ": ";
      return which + closest.stream().map(Difference::toString).collect(Collectors.joining("; "));
    }

    /** The differences from the allowed set that came closest (fewest differences, first wins). */
    public List<Difference> differences() {
      return closest;
    }
  }

  /** The document's nonce is not the one the caller expects, or it has none. */
  public static final class NonceMismatch extends AttestationException {
    private static final long serialVersionUID = 1L;

    NonceMismatch(Nonce expected, Nonce found) {
      super(
          Check.NONCE,
          "expected nonce " + expected + ", the document has "
              + (found == null ? "none" : found.toString()));
    }
  }

  /** The caller requires a {@code public_key} and the document has none. */
  public static final class PublicKeyMissing extends AttestationException {
    private static final long serialVersionUID = 1L;

    PublicKeyMissing() {
      super(Check.PUBLIC_KEY, "the document has no public_key and one is required");
    }
  }
}
