package dev.keep.schema.protocol;

/**
 * A data key as KMS answered {@code GenerateDataKey} or {@code Decrypt} with a {@code Recipient}:
 * {@code ciphertextBlob} is the data key encrypted under the KMS key (the host stores it inside the
 * sealed blob), {@code ciphertextForRecipient} is the same data key in a CMS EnvelopedData that only
 * this enclave's per-boot RSA key opens. The host carries both and can read neither.
 *
 * @param kmsKeyId the KMS key's ARN, as KMS reported it
 * @param ciphertextBlob base64
 * @param ciphertextForRecipient base64 DER CMS ContentInfo (RFC 5652 EnvelopedData)
 */
public record DataKeyEnvelope(String kmsKeyId, String ciphertextBlob, String ciphertextForRecipient) {
  public DataKeyEnvelope {
    if (kmsKeyId == null || kmsKeyId.isEmpty() || kmsKeyId.length() > 2048) {
      throw new IllegalArgumentException("dataKey.kmsKeyId: must be a KMS key ARN of 1..2048 characters");
    }
    SealedBlob.requireBase64("dataKey.ciphertextBlob", ciphertextBlob, 1, 8192);
    SealedBlob.requireBase64("dataKey.ciphertextForRecipient", ciphertextForRecipient, 1, 16384);
  }
}
