package dev.keep.schema.attestation;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Builds attestation documents the way an NSM does, under a certificate chain generated here
 * (root, one intermediate, leaf; all P-384), so tests can vary one field at a time.
 */
final class DocumentForge {
  static final Instant NOT_BEFORE = Instant.parse("2030-01-01T00:00:00Z");
  static final Instant NOT_AFTER = Instant.parse("2030-01-02T00:00:00Z");
  static final Instant TIMESTAMP = Instant.parse("2030-01-01T12:00:00Z");

  final KeyPair rootKey = p384();
  final KeyPair intermediateKey = p384();
  final KeyPair leafKey = p384();
  final X509Certificate root;
  final X509Certificate intermediate;
  final X509Certificate leaf;

  DocumentForge() {
    this(CertificateShape.NORMAL);
  }

  /** Deliberate defects in the generated chain. */
  enum CertificateShape {
    NORMAL,
    LEAF_IS_CA,
    ROOT_PATH_LENGTH_ZERO,
    INTERMEDIATE_WITHOUT_KEY_CERT_SIGN
  }

  DocumentForge(CertificateShape shape) {
    root = certificate(
        "CN=keep-test-root", rootKey, "CN=keep-test-root", rootKey.getPrivate(),
        shape == CertificateShape.ROOT_PATH_LENGTH_ZERO ? 0 : 2,
        KeyUsage.keyCertSign | KeyUsage.cRLSign);
    intermediate = certificate(
        "CN=keep-test-intermediate", intermediateKey, "CN=keep-test-root", rootKey.getPrivate(), 1,
        shape == CertificateShape.INTERMEDIATE_WITHOUT_KEY_CERT_SIGN
            ? KeyUsage.digitalSignature
            : KeyUsage.keyCertSign | KeyUsage.cRLSign);
    leaf = certificate(
        "CN=keep-test-leaf", leafKey, "CN=keep-test-intermediate", intermediateKey.getPrivate(),
        shape == CertificateShape.LEAF_IS_CA ? 0 : -1,
        KeyUsage.digitalSignature);
  }

  TrustedRoot trustedRoot() {
    return TrustedRoot.local(root);
  }

  /** A document builder with every field set as an NSM would set it. */
  Document document() {
    return new Document();
  }

  final class Document {
    private final Map<String, Consumer<CborWriter>> fields = new LinkedHashMap<>();
    private byte[] protectedHeader = new CborWriter().map(1).integer(1).integer(-35).toByteArray();
    private Consumer<CborWriter> unprotected = w -> w.map(0);
    private PrivateKey signingKey = leafKey.getPrivate();
    private boolean tagged;

    private Document() {
      text("module_id", "i-0123456789abcdef0-enc0123456789abcdef");
      text("digest", "SHA384");
      field("timestamp", w -> w.unsigned(TIMESTAMP.toEpochMilli()));
      Map<Integer, byte[]> pcrs = new LinkedHashMap<>();
      for (int i = 0; i < 16; i++) {
        byte[] value = new byte[48];
        value[0] = (byte) (i + 1);
        pcrs.put(i, value);
      }
      pcrs(pcrs);
      bytes("certificate", encoded(leaf));
      field("cabundle", w -> w.array(2).bytes(encoded(root)).bytes(encoded(intermediate)));
      bytes("public_key", new byte[] {0x30, 0x01, 0x02});
      bytes("user_data", new byte[] {7, 7, 7});
      bytes("nonce", new byte[] {1, 2, 3, 4});
    }

    Document field(String name, Consumer<CborWriter> value) {
      fields.put(name, value);
      return this;
    }

    Document text(String name, String value) {
      return field(name, w -> w.text(value));
    }

    Document bytes(String name, byte[] value) {
      return field(name, w -> w.bytes(value));
    }

    Document nil(String name) {
      return field(name, CborWriter::nil);
    }

    Document remove(String name) {
      fields.remove(name);
      return this;
    }

    Document pcrs(Map<Integer, byte[]> pcrs) {
      return field("pcrs", w -> {
        w.map(pcrs.size());
        pcrs.forEach((index, value) -> w.unsigned(index).bytes(value));
      });
    }

    Document protectedHeader(byte[] encoded) {
      this.protectedHeader = encoded;
      return this;
    }

    Document unprotected(Consumer<CborWriter> value) {
      this.unprotected = value;
      return this;
    }

    Document signedBy(PrivateKey key) {
      this.signingKey = key;
      return this;
    }

    Document tagged() {
      this.tagged = true;
      return this;
    }

    byte[] payload() {
      CborWriter writer = new CborWriter().map(fields.size());
      fields.forEach((name, value) -> {
        writer.text(name);
        value.accept(writer);
      });
      return writer.toByteArray();
    }

    byte[] encode() {
      byte[] payload = payload();
      byte[] toBeSigned = new CoseSign1(protectedHeader, payload, new byte[0]).toBeSigned();
      byte[] signature;
      try {
        Signature signer = Signature.getInstance("SHA384withECDSAinP1363Format");
        signer.initSign(signingKey);
        signer.update(toBeSigned);
        signature = signer.sign();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
      CborWriter writer = new CborWriter();
      if (tagged) {
        writer.tag(18);
      }
      writer.array(4).bytes(protectedHeader);
      unprotected.accept(writer);
      return writer.bytes(payload).bytes(signature).toByteArray();
    }
  }

  static KeyPair p384() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp384r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code pathLength} -1 makes an end-entity certificate. */
  static X509Certificate certificate(
      String subject, KeyPair subjectKey, String issuer, PrivateKey issuerKey, int pathLength, int keyUsage) {
    try {
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
          new X500Principal(issuer),
          BigInteger.valueOf(subject.hashCode() & 0x7fffffffL),
          Date.from(NOT_BEFORE),
          Date.from(NOT_AFTER),
          new X500Principal(subject),
          subjectKey.getPublic());
      builder.addExtension(
          Extension.basicConstraints,
          true,
          pathLength < 0 ? new BasicConstraints(false) : new BasicConstraints(pathLength));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder("SHA384withECDSA").build(issuerKey)));
    } catch (CertIOException | OperatorCreationException | CertificateException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (CertificateException e) {
      throw new IllegalStateException(e);
    }
  }
}
