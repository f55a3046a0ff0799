package dev.keep.schema.attestation;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * The root certificate a document's chain must start from. There are exactly two kinds, and a
 * verifier uses one, never both:
 *
 * <ul>
 *   <li>{@link #awsNitro()}: the AWS Nitro Enclaves root G1, built in (the certificate of
 *       {@code AWS_NitroEnclaves_Root-G1.zip}, "Verifying the root of trust" in the Nitro Enclaves
 *       user guide), its SHA-256 fingerprint pinned here so a swapped resource fails to load;
 *   <li>{@link #local(X509Certificate)}: a root generated for a local software NSM. A document it
 *       accepts proves nothing about Nitro hardware; it exists for local mode and tests.
 * </ul>
 *
 * <p>A document's {@code cabundle[0]} must be byte-for-byte this certificate.
 */
public final class TrustedRoot {
  /** SHA-256 of the DER of the AWS Nitro Enclaves root G1 ({@code CN=aws.nitro-enclaves}). */
  static final String AWS_NITRO_G1_SHA256 =
      "641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b";

  private static final String AWS_NITRO_G1_RESOURCE = "aws-nitro-root-g1.pem";

  private static volatile TrustedRoot awsNitro;

  private final X509Certificate certificate;
  private final byte[] encoded;
  private final boolean aws;

  private TrustedRoot(X509Certificate certificate, boolean aws) {
    this.certificate = certificate;
    this.aws = aws;
    try {
      this.encoded = certificate.getEncoded();
    } catch (CertificateException e) {
      throw new IllegalArgumentException("the root certificate cannot be encoded", e);
    }
  }

  /** The built-in AWS Nitro Enclaves root G1. */
  public static TrustedRoot awsNitro() {
    TrustedRoot root = awsNitro;
    if (root == null) {
      root = new TrustedRoot(loadAwsNitroRoot(), true);
      awsNitro = root;
    }
    return root;
  }

  /**
   * A locally generated root, for documents from a software NSM. The certificate must be a CA
   * (basicConstraints cA true).
   *
   * @throws IllegalArgumentException when it is not a CA certificate
   */
  public static TrustedRoot local(X509Certificate certificate) {
    if (certificate.getBasicConstraints() < 0) {
      throw new IllegalArgumentException(
          "a root must be a CA certificate: " + certificate.getSubjectX500Principal().getName());
    }
    return new TrustedRoot(certificate, false);
  }

  /**
   * A local root from PEM or DER bytes.
   *
   * @throws IllegalArgumentException when the bytes are not one X.509 CA certificate
   */
  public static TrustedRoot local(byte[] pemOrDer) {
    return local(parse(pemOrDer));
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public boolean isAwsNitro() {
    return aws;
  }

  /** SHA-256 of the certificate's DER, lower-case hex. */
  public String fingerprint() {
    return sha256Hex(encoded);
  }

  boolean matches(byte[] der) {
    return MessageDigest.isEqual(encoded, der);
  }

  @Override
  public String toString() {
    return (aws ? "AWS Nitro Enclaves root G1" : "local root")
        + " \"" + certificate.getSubjectX500Principal().getName() + "\" (SHA-256 " + fingerprint() + ")";
  }

  private static X509Certificate loadAwsNitroRoot() {
    try (InputStream in = TrustedRoot.class.getResourceAsStream(AWS_NITRO_G1_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + AWS_NITRO_G1_RESOURCE + " is missing");
      }
      X509Certificate certificate = parse(in.readAllBytes());
      String fingerprint = sha256Hex(certificate.getEncoded());
      if (!fingerprint.equals(AWS_NITRO_G1_SHA256)) {
        throw new IllegalStateException(
            "resource " + AWS_NITRO_G1_RESOURCE + " has SHA-256 " + fingerprint + ", not the pinned "
                + AWS_NITRO_G1_SHA256);
      }
      return certificate;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (CertificateException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate parse(byte[] bytes) {
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(bytes));
    } catch (CertificateException e) {
      throw new IllegalArgumentException("not an X.509 certificate: " + e.getMessage(), e);
    }
  }

  static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
