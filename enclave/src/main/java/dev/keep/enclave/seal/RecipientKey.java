package dev.keep.enclave.seal;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Arrays;
import java.util.Collection;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAESOAEPparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.KeyTransRecipientInformation;
import org.bouncycastle.cms.RecipientInformation;
import org.bouncycastle.cms.jcajce.JceKeyTransEnvelopedRecipient;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The enclave's per-boot RSA key. Its public half goes into every attestation document as {@code
 * public_key}; KMS, given that document as {@code Recipient}, encrypts data keys to it and returns
 * them as {@code CiphertextForRecipient}, which only this process can open (AWS KMS Developer
 * Guide, "How AWS Nitro Enclaves uses AWS KMS"). It never leaves memory and dies with the process,
 * so a document from an earlier boot is useless to whoever kept it.
 */
public final class RecipientKey {
  /** AWS KMS accepts RSA 2048-bit and larger recipient keys; 2048 keeps a boot fast. */
  private static final int BITS = 2048;

  /** BouncyCastle as an object, not registered globally: only CMS needs it. */
  private static final BouncyCastleProvider BC = new BouncyCastleProvider();

  private final KeyPair pair;

  private RecipientKey(KeyPair pair) {
    this.pair = pair;
  }

  /** A fresh key from {@code random} (the NSM's in a Nitro enclave). */
  public static RecipientKey generate(SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(new RSAKeyGenParameterSpec(BITS, RSAKeyGenParameterSpec.F4), random);
      return new RecipientKey(generator.generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK generates RSA keys", e);
    }
  }

  /** DER SubjectPublicKeyInfo: the document's {@code public_key}. */
  public byte[] publicKeyDer() {
    return pair.getPublic().getEncoded();
  }

  /** Opens KMS's {@code CiphertextForRecipient} for a data key. */
  public DataKey openDataKey(byte[] cms) throws SealingException {
    byte[] content = open(cms, "ciphertextForRecipient");
    try {
      return DataKey.copyOf(content);
    } finally {
      Arrays.fill(content, (byte) 0);
    }
  }

  /**
   * Opens a CMS EnvelopedData encrypted to this key the way KMS does it: RSAES-OAEP with SHA-256
   * and MGF1-SHA-256 (RFC 8017 §7.1) for the content key, AES-256-CBC for the content (RFC 5652
   * §6, RFC 3565). Anything else is refused rather than tried. The caller wipes the result.
   */
  public byte[] open(byte[] cms, String field) throws SealingException {
    CMSEnvelopedData enveloped;
    try {
      enveloped = new CMSEnvelopedData(cms);
    } catch (CMSException | RuntimeException e) {
      throw new SealingException(field + ": not a CMS EnvelopedData (" + e.getClass().getSimpleName() + ")");
    }
    if (!NISTObjectIdentifiers.id_aes256_CBC.getId().equals(enveloped.getEncryptionAlgOID())) {
      throw new SealingException(field + ": content encryption is " + enveloped.getEncryptionAlgOID()
          + ", expected AES-256-CBC (" + NISTObjectIdentifiers.id_aes256_CBC.getId() + ")");
    }
    Collection<RecipientInformation> recipients = enveloped.getRecipientInfos().getRecipients();
    if (recipients.size() != 1 || !(recipients.iterator().next() instanceof KeyTransRecipientInformation recipient)) {
      throw new SealingException(field + ": expected exactly one key-transport recipient, found "
          + recipients.size());
    }
    requireOaepSha256(recipient.getKeyEncryptionAlgorithm(), field);
    try {
      PrivateKey key = pair.getPrivate();
      return recipient.getContent(new JceKeyTransEnvelopedRecipient(key).setProvider(BC));
    } catch (CMSException | RuntimeException e) {
      // Wrong key (another boot's document) or a corrupted envelope; say which without details.
      throw new SealingException(field + ": does not open with this enclave's key; it was encrypted to "
          + "another key (an attestation document from an earlier boot?) or is corrupted");
    }
  }

  private static void requireOaepSha256(AlgorithmIdentifier algorithm, String field) throws SealingException {
    ASN1ObjectIdentifier oid = algorithm.getAlgorithm();
    if (!PKCSObjectIdentifiers.id_RSAES_OAEP.equals(oid)) {
      throw new SealingException(field + ": key transport is " + oid + ", expected RSAES-OAEP ("
          + PKCSObjectIdentifiers.id_RSAES_OAEP + ")");
    }
    RSAESOAEPparams params;
    try {
      params = RSAESOAEPparams.getInstance(algorithm.getParameters());
    } catch (RuntimeException e) {
      throw new SealingException(field + ": RSAES-OAEP parameters do not parse");
    }
    ASN1ObjectIdentifier hash = params.getHashAlgorithm().getAlgorithm();
    AlgorithmIdentifier mgf = params.getMaskGenAlgorithm();
    ASN1ObjectIdentifier mgfHash = AlgorithmIdentifier.getInstance(mgf.getParameters()).getAlgorithm();
    if (!NISTObjectIdentifiers.id_sha256.equals(hash) || !PKCSObjectIdentifiers.id_mgf1.equals(mgf.getAlgorithm())
        || !NISTObjectIdentifiers.id_sha256.equals(mgfHash)) {
      throw new SealingException(field + ": RSAES-OAEP must use SHA-256 and MGF1-SHA-256 (RSAES_OAEP_SHA_256); found "
          + hash + " with " + mgf.getAlgorithm() + "/" + mgfHash);
    }
  }

  @Override
  public String toString() {
    return "RecipientKey[RSA-" + BITS + ", private=<redacted>]";
  }
}
