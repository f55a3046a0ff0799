package dev.keep.enclave.seal;

import dev.keep.schema.protocol.DataKeyEnvelope;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.SealedBlob;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientInfoGenerator;
import org.bouncycastle.operator.jcajce.JcaAlgorithmParametersConverter;

/**
 * KMS's part in the enclave's unit tests, which have no network: it makes data keys and answers
 * with them in the CMS form KMS uses for {@code CiphertextForRecipient} (EnvelopedData,
 * RSAES-OAEP-SHA-256, AES-256-CBC). The system tests use the real KMS endpoint over HTTP instead.
 */
public final class KmsStandIn {
  public static final String ARN = "arn:aws:kms:us-east-1:000000000000:key/test";
  private final SecureRandom random = new SecureRandom();
  private final Map<String, byte[]> dataKeys = new HashMap<>();

  /** GenerateDataKey with a Recipient. */
  public DataKeyEnvelope generateDataKey(byte[] recipientPublicKeyDer) throws Exception {
    byte[] key = new byte[32];
    random.nextBytes(key);
    byte[] handle = new byte[48];
    random.nextBytes(handle);
    String blob = Base64.getEncoder().encodeToString(handle);
    dataKeys.put(blob, key);
    return new DataKeyEnvelope(ARN, blob, Base64.getEncoder().encodeToString(envelope(key, recipientPublicKeyDer)));
  }

  /** Decrypt with a Recipient: the blob's data key, to {@code recipientPublicKeyDer}. */
  public String decryptFor(SealedBlob blob, byte[] recipientPublicKeyDer) throws Exception {
    return Base64.getEncoder().encodeToString(envelope(dataKeys.get(blob.dataKey()), recipientPublicKeyDer));
  }

  /** The unseal request a host makes for {@code key} (and its {@code state}) to an enclave with {@code recipient}. */
  public EnclaveRequest.UnsealKey unsealRequest(String keyId, SealedBlob key, SealedBlob state, RecipientKey recipient)
      throws Exception {
    return new EnclaveRequest.UnsealKey(keyId, key, state, decryptFor(key, recipient.publicKeyDer()));
  }

  /** RFC 5652 EnvelopedData to the RSA key, RSAES-OAEP SHA-256/MGF1-SHA-256, AES-256-CBC. */
  public static byte[] envelope(byte[] content, byte[] recipientPublicKeyDer) throws Exception {
    PublicKey rsa = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(recipientPublicKeyDer));
    var oaep = new JcaAlgorithmParametersConverter().getAlgorithmIdentifier(
        org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.id_RSAES_OAEP,
        new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
    CMSEnvelopedDataGenerator generator = new CMSEnvelopedDataGenerator();
    generator.addRecipientInfoGenerator(new JceKeyTransRecipientInfoGenerator(new byte[] {1}, oaep, rsa));
    return generator.generate(new CMSProcessableByteArray(content),
        new JceCMSContentEncryptorBuilder(CMSAlgorithm.AES256_CBC).build()).getEncoded();
  }
}
