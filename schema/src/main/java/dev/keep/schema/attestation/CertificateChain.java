package dev.keep.schema.attestation;

import dev.keep.schema.attestation.AttestationException.BrokenChain;
import dev.keep.schema.attestation.AttestationException.CertificateNotValid;
import dev.keep.schema.attestation.AttestationException.Malformed;
import dev.keep.schema.attestation.AttestationException.UntrustedRoot;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.ProviderException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * The certificate checks of the Nitro attestation document specification (docs/attestation_process.md
 * §3.2.3): the path {@code [cabundle[0] = root, cabundle[1], ..., cabundle[n-1], certificate]},
 * every certificate valid at the verification time (the root too, §3.2.3.1), CA certificates
 * with a critical basicConstraints, keyCertSign and a pathLenConstraint the path respects
 * (§3.2.3.2, §3.2.3.3), a leaf that is not a CA and has digitalSignature.
 *
 * <p>The checks are done one by one first, so that a failure names the certificate and the rule;
 * then the JDK's PKIX validator (RFC 5280 §6, revocation off as §3.2.4 says) runs over the same
 * path for what is not spelled out here (unknown critical extensions, name chaining details).
 */
final class CertificateChain {
  private static final String BASIC_CONSTRAINTS = "2.5.29.19";
  private static final int DIGITAL_SIGNATURE = 0;
  private static final int KEY_CERT_SIGN = 5;

  private CertificateChain() {}

  /** Parses one DER certificate; {@code field} names it in errors. */
  static X509Certificate parse(byte[] der, String field) throws Malformed {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      X509Certificate certificate =
          (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
      // The factory also reads PEM and stops after one certificate: insist on exactly the DER.
      if (!Arrays.equals(certificate.getEncoded(), der)) {
        throw new Malformed(field + ": not exactly one DER certificate");
      }
      return certificate;
    } catch (CertificateException | IllegalArgumentException | ProviderException e) {
      // The JDK's parser reports some malformed DER with runtime exceptions.
      throw new Malformed(field + ": not an X.509 certificate (" + e.getMessage() + ")");
    }
  }

  /**
   * Checks the path from {@code root} through {@code cabundle} to {@code leaf} at {@code at} and
   * returns it, root first.
   */
  static List<X509Certificate> verify(TrustedRoot root, List<byte[]> cabundle, X509Certificate leaf, Instant at)
      throws Malformed, UntrustedRoot, BrokenChain, CertificateNotValid {
    if (!root.matches(cabundle.getFirst())) {
      X509Certificate first = parse(cabundle.getFirst(), "cabundle[0]");
      throw new UntrustedRoot(
          "cabundle[0] is \"" + first.getSubjectX500Principal().getName() + "\" (SHA-256 "
              + TrustedRoot.sha256Hex(cabundle.getFirst()) + "), expected the " + root);
    }
    List<X509Certificate> path = new ArrayList<>();
    path.add(root.certificate());
    for (int i = 1; i < cabundle.size(); i++) {
      path.add(parse(cabundle.get(i), "cabundle[" + i + "]"));
    }
    path.add(leaf);

    for (int k = 1; k < path.size(); k++) {
      checkIssuedBy(path, k);
    }
    for (int k = 0; k < path.size(); k++) {
      checkConstraints(path, k);
    }
    for (int k = 0; k < path.size(); k++) {
      X509Certificate certificate = path.get(k);
      if (at.isBefore(certificate.getNotBefore().toInstant()) || at.isAfter(certificate.getNotAfter().toInstant())) {
        throw new CertificateNotValid(role(path, k), certificate, at);
      }
    }
    pkix(path, at);
    return List.copyOf(path);
  }

  private static void checkIssuedBy(List<X509Certificate> path, int k) throws BrokenChain {
    X509Certificate subject = path.get(k);
    X509Certificate issuer = path.get(k - 1);
    if (!subject.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
      throw new BrokenChain(
          role(path, k) + " certificate \"" + name(subject) + "\" names issuer \""
              + subject.getIssuerX500Principal().getName() + "\", but the " + role(path, k - 1)
              + " certificate before it is \"" + name(issuer) + "\"");
    }
    try {
      subject.verify(issuer.getPublicKey());
    } catch (GeneralSecurityException | IllegalArgumentException | ProviderException e) {
      throw new BrokenChain(
          role(path, k) + " certificate \"" + name(subject) + "\" is not signed by the " + role(path, k - 1)
              + " certificate's key (" + e.getMessage() + ")");
    }
  }

  private static void checkConstraints(List<X509Certificate> path, int k) throws BrokenChain {
    X509Certificate certificate = path.get(k);
    String what = role(path, k) + " certificate \"" + name(certificate) + "\"";
    boolean[] keyUsage = certificate.getKeyUsage();
    int pathLength = certificate.getBasicConstraints();
    if (k == path.size() - 1) {
      if (pathLength >= 0) {
        throw new BrokenChain(what + " is a CA (basicConstraints cA true); the signing certificate must not be");
      }
      if (keyUsage == null || !keyUsage[DIGITAL_SIGNATURE]) {
        throw new BrokenChain(what + " lacks the digitalSignature key usage");
      }
      return;
    }
    if (pathLength < 0) {
      throw new BrokenChain(what + " is not a CA (basicConstraints cA false or absent)");
    }
    Set<String> critical = certificate.getCriticalExtensionOIDs();
    if (critical == null || !critical.contains(BASIC_CONSTRAINTS)) {
      throw new BrokenChain(what + " has a basicConstraints extension that is not critical");
    }
    if (keyUsage == null || keyUsage.length <= KEY_CERT_SIGN || !keyUsage[KEY_CERT_SIGN]) {
      throw new BrokenChain(what + " lacks the keyCertSign key usage");
    }
    // RFC 5280 §4.2.1.9: pathLenConstraint is the number of non-self-issued intermediate CA
    // certificates that may follow this one in the path.
    int casBelow = path.size() - 2 - k;
    if (casBelow > pathLength) {
      throw new BrokenChain(
          what + " has pathLenConstraint " + pathLength + " but " + casBelow + " CA certificates follow it");
    }
  }

  private static void pkix(List<X509Certificate> path, Instant at) throws BrokenChain {
    // Java's CertPath runs from the target to the anchor and leaves the anchor out.
    List<X509Certificate> targetFirst = new ArrayList<>(path.subList(1, path.size()));
    Collections.reverse(targetFirst);
    try {
      CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(targetFirst);
      PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(path.getFirst(), null)));
      parameters.setRevocationEnabled(false);
      parameters.setDate(Date.from(at));
      CertPathValidator.getInstance("PKIX").validate(certPath, parameters);
    } catch (CertPathValidatorException e) {
      int index = e.getIndex();
      String which = index >= 0 && index < targetFirst.size()
          ? " at " + role(path, path.size() - 1 - index) + " certificate \"" + name(targetFirst.get(index)) + "\""
          : "";
      throw new BrokenChain("PKIX validation failed" + which + ": " + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PKIX validation is not available", e);
    }
  }

  private static String role(List<X509Certificate> path, int k) {
    if (k == 0) {
      return "root (cabundle[0])";
    }
    return k == path.size() - 1 ? "leaf" : "intermediate (cabundle[" + k + "])";
  }

  private static String name(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().getName();
  }
}
