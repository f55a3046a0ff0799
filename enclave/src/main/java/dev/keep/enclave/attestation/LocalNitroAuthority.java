package dev.keep.enclave.attestation;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The certificate authority of local mode's software NSM, shaped like AWS's Nitro PKI: a
 * self-signed P-384 root, an intermediate it signs, and a short-lived leaf per enclave boot that
 * signs attestation documents (ES384). The root plays the part of the AWS Nitro root G1, so a
 * verifier trusts it only when told to, for local mode.
 *
 * <p>The root persists (PEM certificate and PKCS#8 key) so that every process of a local
 * deployment, the enclave and the KMS endpoint, agrees on it; the intermediate and leaf are made
 * fresh. The root key sits on the local disk: local mode is not secure, and says so.
 */
public final class LocalNitroAuthority {
  static final String SIGNATURE = "SHA384withECDSA";
  static final Duration ROOT_LIFETIME = Duration.ofDays(30 * 365);
  static final Duration INTERMEDIATE_LIFETIME = Duration.ofDays(30);
  /** AWS's leaf certificates live about three hours; so do these. */
  static final Duration LEAF_LIFETIME = Duration.ofHours(3);

  private static final String ROOT_CERT_FILE = "local-nitro-root.pem";
  private static final String ROOT_KEY_FILE = "local-nitro-root.key";

  private final KeyPair root;
  private final X509Certificate rootCertificate;
  private final KeyPair intermediate;
  private final X509Certificate intermediateCertificate;
  private final SecureRandom random;

  private LocalNitroAuthority(KeyPair root, X509Certificate rootCertificate, SecureRandom random, Instant now)
      throws GeneralSecurityException {
    this.root = root;
    this.rootCertificate = rootCertificate;
    this.random = random;
    this.intermediate = p384(random);
    this.intermediateCertificate = certificate(
        "CN=local-zonal.nitro-enclaves,OU=Keep local mode,O=Keep", intermediate.getPublic(),
        rootCertificate, root.getPrivate(), now, INTERMEDIATE_LIFETIME, 0);
  }

  /** A new root, valid from {@code now}. */
  public static LocalNitroAuthority generate(SecureRandom random, Instant now) throws GeneralSecurityException {
    KeyPair root = p384(random);
    X509Certificate certificate = certificate("CN=local.nitro-enclaves,OU=Keep local mode,O=Keep", root.getPublic(),
        null, root.getPrivate(), now, ROOT_LIFETIME, 1);
    return new LocalNitroAuthority(root, certificate, random, now);
  }

  /** The root kept in {@code dir}, made and written there first if there is none. */
  public static LocalNitroAuthority openOrCreate(Path dir, SecureRandom random, Instant now)
      throws IOException, GeneralSecurityException {
    Path cert = dir.resolve(ROOT_CERT_FILE);
    Path key = dir.resolve(ROOT_KEY_FILE);
    if (!Files.exists(cert)) {
      LocalNitroAuthority fresh = generate(random, now);
      Files.createDirectories(dir);
      Files.writeString(key, pem("PRIVATE KEY", fresh.root.getPrivate().getEncoded()));
      try {
        // Owner-only, like an SSH key; on a file system without POSIX permissions this is skipped.
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system.
      }
      Files.writeString(cert, pem("CERTIFICATE", fresh.rootCertificate.getEncoded()));
      return fresh;
    }
    X509Certificate certificate = readCertificate(cert);
    PrivateKey privateKey = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
        Base64.getMimeDecoder().decode(Files.readString(key, StandardCharsets.US_ASCII)
            .replaceAll("-----[A-Z ]+-----", ""))));
    return new LocalNitroAuthority(new KeyPair(certificate.getPublicKey(), privateKey), certificate, random, now);
  }

  /** The root certificate in {@code dir}, as a verifier in local mode pins it. */
  public static X509Certificate readRoot(Path dir) throws IOException, GeneralSecurityException {
    return readCertificate(dir.resolve(ROOT_CERT_FILE));
  }

  public X509Certificate root() {
    return rootCertificate;
  }

  public X509Certificate intermediate() {
    return intermediateCertificate;
  }

  /** A signing key and its certificate, for one enclave boot. */
  public record Leaf(KeyPair key, X509Certificate certificate) {
    @Override
    public String toString() {
      return "Leaf[" + certificate.getSubjectX500Principal() + ", key=<redacted>]";
    }
  }

  /** A leaf for one boot, valid {@link #LEAF_LIFETIME} from {@code now}. */
  public Leaf issueLeaf(String moduleId, Instant now) throws GeneralSecurityException {
    KeyPair key = p384(random);
    X509Certificate certificate = certificate("CN=" + moduleId + ".local.nitro-enclaves,OU=Keep local mode,O=Keep",
        key.getPublic(), intermediateCertificate, intermediate.getPrivate(), now, LEAF_LIFETIME, -1);
    return new Leaf(key, certificate);
  }

  private static KeyPair p384(SecureRandom random) throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp384r1"), random);
    return generator.generateKeyPair();
  }

  /**
   * An X.509 v3 certificate for {@code subjectKey}, signed by {@code issuerKey} ({@code issuer}
   * null: self-signed). {@code pathLength} 0 or more makes a CA; -1 an end entity.
   */
  private static X509Certificate certificate(String subject, PublicKey subjectKey, X509Certificate issuer,
      PrivateKey issuerKey, Instant now, Duration lifetime, int pathLength) throws GeneralSecurityException {
    X500Name subjectName = new X500Name(subject);
    X500Name issuerName = issuer == null ? subjectName : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
    byte[] serial = new byte[16];
    new SecureRandom().nextBytes(serial);
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName, new BigInteger(1, serial),
        Date.from(now.minusSeconds(60)), Date.from(now.plus(lifetime)), subjectName, subjectKey);
    try {
      if (pathLength >= 0) {
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLength));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      }
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder(SIGNATURE).build(issuerKey)));
    } catch (OperatorCreationException | org.bouncycastle.cert.CertIOException e) {
      throw new GeneralSecurityException("cannot make the certificate " + subject, e);
    }
  }

  private static X509Certificate readCertificate(Path file) throws IOException, GeneralSecurityException {
    try (var in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static String pem(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }
}
