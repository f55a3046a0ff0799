package dev.keep.emulators.kms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * Decrypt: the key comes from the ciphertext itself; a KeyId, if given, must name that same key.
 * The encryption context must match the one used to encrypt, or the ciphertext is invalid. With a
 * Recipient, the plaintext goes back only inside CiphertextForRecipient, never in Plaintext.
 */
record Decrypt(KeyRegistry keys, Recipients recipients) implements KmsOperation {
  @Override
  public ObjectNode handle(KmsRequest request) {
    // The whole request is validated before any key is looked up, as AWS does.
    byte[] ciphertext = request.requiredBlob("CiphertextBlob", 1, 6144);
    Optional<String> keyId = request.optionalString("KeyId", 1, 2048);
    EncryptionContext context = request.encryptionContext();
    request.requireSymmetricDefault("EncryptionAlgorithm", KmsError.INVALID_KEY_USAGE);
    request.rejectIfPresent("DryRun");
    Optional<AttestedRecipient> recipient = recipients.read(request);

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
    PolicyEvaluator.authorize(key, KmsActions.DECRYPT, RequestContext.of(recipient, context));
    byte[] plaintext = Envelope.open(key.requireEnabled(), blob, context);

    ObjectNode response = KmsJson.object();
    response.put("KeyId", key.arn());
    if (recipient.isPresent()) {
      response.put(
          "CiphertextForRecipient",
          KmsJson.base64(CiphertextForRecipient.seal(plaintext, recipient.get(), keys.random())));
    } else {
      response.put("Plaintext", KmsJson.base64(plaintext));
    }
    response.put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    return response;
  }
}
