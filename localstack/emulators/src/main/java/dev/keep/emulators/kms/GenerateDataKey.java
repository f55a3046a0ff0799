package dev.keep.emulators.kms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * GenerateDataKey: fresh random bytes, returned both in the clear and encrypted under the key, as
 * Encrypt would have encrypted them. With a Recipient, the clear copy goes back only inside
 * CiphertextForRecipient, and Plaintext is left out.
 */
record GenerateDataKey(KeyRegistry keys, Recipients recipients) implements KmsOperation {
  @Override
  public ObjectNode handle(KmsRequest request) {
    // The whole request is validated before any key is looked up, as AWS does.
    String keyId = request.requiredString("KeyId", 1, 2048);
    EncryptionContext context = request.encryptionContext();
    int length = length(request);
    request.rejectIfPresent("DryRun");
    Optional<AttestedRecipient> recipient = recipients.read(request);
    KmsKey key = keys.resolve(KeyReference.parse(keyId));
    PolicyEvaluator.authorize(
        key, KmsActions.GENERATE_DATA_KEY, RequestContext.of(recipient, context));
    key.requireEnabled();

    byte[] dataKey = new byte[length];
    keys.random().nextBytes(dataKey);
    ObjectNode response = KmsJson.object();
    response.put(
        "CiphertextBlob", KmsJson.base64(Envelope.seal(key, dataKey, context, keys.random())));
    if (recipient.isPresent()) {
      response.put(
          "CiphertextForRecipient",
          KmsJson.base64(CiphertextForRecipient.seal(dataKey, recipient.get(), keys.random())));
    } else {
      response.put("Plaintext", KmsJson.base64(dataKey));
    }
    response.put("KeyId", key.arn());
    return response;
  }

  /** Exactly one of KeySpec and NumberOfBytes, as AWS requires. */
  private static int length(KmsRequest request) {
    OptionalInt numberOfBytes = request.optionalInt("NumberOfBytes", 1, 1024);
    if (request.has("KeySpec")) {
      if (numberOfBytes.isPresent()) {
        throw KmsException.validation(
            "KeySpec", "Member must not be given together with NumberOfBytes");
      }
      return switch (request.requiredString("KeySpec", 1, 16)) {
        case "AES_256" -> 32;
        case "AES_128" -> 16;
        default ->
            throw KmsException.validation(
                "KeySpec", "Member must satisfy enum value set: [AES_256, AES_128]");
      };
    }
    return numberOfBytes.orElseThrow(
        () ->
            KmsException.validation(
                "KeySpec", "Member must not be null when NumberOfBytes is absent"));
  }
}
