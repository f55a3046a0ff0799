package dev.keep.emulators.kms;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.spec.MGF1ParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientInfoGenerator;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaAlgorithmParametersConverter;

/**
 * The {@code CiphertextForRecipient} of an attested request: the plaintext KMS would have returned,
 * sealed so only the enclave's private key opens it. The form is a CMS EnvelopedData (RFC 5652
 * §6.1) in a ContentInfo (§3), DER-encoded, with
 *
 * <ul>
 *   <li>one KeyTransRecipientInfo (§6.2.1), key transport RSAES-OAEP (RFC 8017 §7.1) with SHA-256
 *       and MGF1-SHA-256 to the document's {@code public_key}, the algorithm the API names
 *       RSAES_OAEP_SHA_256; the recipient is identified by subjectKeyIdentifier, the SHA-1 of the
 *       key (RFC 5280 §4.2.1.2, method 1), as there is no certificate to name;
 *   <li>content encryption AES-256-CBC (RFC 3565) under a fresh key, content type id-data.
 * </ul>
 *
 * The AWS Nitro Enclaves SDK documents the field as "a RecipientInfo structure, as described in
 * RFC5652 Section 6" (aws-nitro-enclaves-sdk-c, docs/kms-apis/kms-apis.md), and its enclave-side
 * parser (source/cms.c) accepts exactly this: EnvelopedData version 2, one KeyTransRecipientInfo
 * version 2 ("Only subjectKeyIdentifier is supported"), RSA-OAEP with SHA-256, AES-256-CBC.
 */
final class CiphertextForRecipient {
  // A private instance: nothing is registered globally for other code in the process.
  private static final Provider BC = new BouncyCastleProvider();

  private CiphertextForRecipient() {}

  static byte[] seal(byte[] plaintext, AttestedRecipient recipient, SecureRandom random) {
    try {
      AlgorithmIdentifier oaepSha256 =
          new JcaAlgorithmParametersConverter()
              .getAlgorithmIdentifier(
                  PKCSObjectIdentifiers.id_RSAES_OAEP,
                  new OAEPParameterSpec(
                      "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
      byte[] subjectKeyId =
          new JcaX509ExtensionUtils()
              .createSubjectKeyIdentifier(recipient.publicKey())
              .getKeyIdentifier();
      CMSEnvelopedDataGenerator generator = new CMSEnvelopedDataGenerator();
      generator.addRecipientInfoGenerator(
          new JceKeyTransRecipientInfoGenerator(subjectKeyId, oaepSha256, recipient.publicKey())
              .setProvider(BC));
      CMSEnvelopedData enveloped =
          generator.generate(
              new CMSProcessableByteArray(plaintext),
              new JceCMSContentEncryptorBuilder(CMSAlgorithm.AES256_CBC)
                  .setSecureRandom(random)
                  .setProvider(BC)
                  .build());
      // The generator may use BER (indefinite lengths); the wire form is DER.
      return enveloped.toASN1Structure().getEncoded(ASN1Encoding.DER);
    } catch (CMSException | GeneralSecurityException e) {
      throw new IllegalStateException("CMS EnvelopedData could not be built", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
