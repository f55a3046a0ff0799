package dev.keep.emulators.kms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/** Encrypt: up to 4 KiB of plaintext under a key, bound to the encryption context. */
record Encrypt(KeyRegistry keys) implements KmsOperation {
  @Override
  public ObjectNode handle(KmsRequest request) {
    // The whole request is validated before any key is looked up, as AWS does.
    String keyId = request.requiredString("KeyId", 1, 2048);
    byte[] plaintext = request.requiredBlob("Plaintext", 1, 4096);
    EncryptionContext context = request.encryptionContext();
    request.requireSymmetricDefault("EncryptionAlgorithm", KmsError.INVALID_KEY_USAGE);
    request.rejectIfPresent("DryRun");
    KmsKey key = keys.resolve(KeyReference.parse(keyId));
    PolicyEvaluator.authorize(
        key, KmsActions.ENCRYPT, RequestContext.of(Optional.empty(), context));
    key.requireEnabled();

    ObjectNode response = KmsJson.object();
    response.put(
        "CiphertextBlob", KmsJson.base64(Envelope.seal(key, plaintext, context, keys.random())));
    response.put("KeyId", key.arn());
    response.put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    return response;
  }
}
