package dev.keep.emulators.kms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * Decrypt: the key comes from the ciphertext itself; a KeyId, if given, must name that same key.
 * The encryption context must match the one used to encrypt, or the ciphertext is invalid.
 */
record Decrypt(KeyRegistry keys) implements KmsOperation {
  @Override
  public ObjectNode handle(KmsRequest request) {
    // The whole request is validated before any key is looked up, as AWS does.
    byte[] ciphertext = request.requiredBlob("CiphertextBlob", 1, 6144);
    Optional<String> keyId = request.optionalString("KeyId", 1, 2048);
    EncryptionContext context = request.encryptionContext();
    request.requireSymmetricDefault("EncryptionAlgorithm", KmsError.INVALID_KEY_USAGE);
    // Not yet: Nitro attestation documents, answered with CiphertextForRecipient.
    request.rejectIfPresent("Recipient");
    request.rejectIfPresent("DryRun");

    // A KeyId that names no key is NotFound, checked before the ciphertext's own key.
    KmsKey named = keyId.map(id -> keys.resolve(KeyReference.parse(id))).orElse(null);
    CiphertextBlob blob = CiphertextBlob.decode(ciphertext);
    KmsKey key = keys.byId(blob.keyId());
    if (key == null) {
      throw CiphertextBlob.invalid();
    }
    if (named != null && !named.id().equals(key.id())) {
      throw new KmsException(
          KmsError.INCORRECT_KEY,
          "The key ID in the request does not identify a CMK that can perform this operation.");
    }
    byte[] plaintext = Envelope.open(key.requireEnabled(), blob, context);

    ObjectNode response = KmsJson.object();
    response.put("KeyId", key.arn());
    response.put("Plaintext", KmsJson.base64(plaintext));
    response.put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    return response;
  }
}
