package dev.keep.emulators.kms;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A key's KeyMetadata structure, as CreateKey and DescribeKey return it. */
final class KeyMetadata {
  private KeyMetadata() {}

  static ObjectNode of(KmsKey key) {
    ObjectNode metadata = KmsJson.object();
    metadata.put("AWSAccountId", key.accountId());
    metadata.put("KeyId", key.id());
    metadata.put("Arn", key.arn());
    metadata.put("CreationDate", KmsJson.epochSeconds(key.creationDate()));
    metadata.put("Enabled", key.state() == KmsKey.KeyState.ENABLED);
    metadata.put("Description", key.description());
    metadata.put("KeyUsage", "ENCRYPT_DECRYPT");
    metadata.put("KeyState", key.state().wireName());
    metadata.put("Origin", "AWS_KMS");
    metadata.put("KeyManager", "CUSTOMER");
    metadata.put("CustomerMasterKeySpec", "SYMMETRIC_DEFAULT");
    metadata.put("KeySpec", "SYMMETRIC_DEFAULT");
    metadata.putArray("EncryptionAlgorithms").add("SYMMETRIC_DEFAULT");
    metadata.put("MultiRegion", false);
    return metadata;
  }
}
