package dev.keep.emulators.kms;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** GenerateRandom: 1 to 1024 random bytes from the endpoint's SecureRandom. */
record GenerateRandom(KeyRegistry keys) implements KmsOperation {
  @Override
  public ObjectNode handle(KmsRequest request) {
    int length =
        request
            .optionalInt("NumberOfBytes", 1, 1024)
            .orElseThrow(() -> KmsException.validation("NumberOfBytes", "Member must not be null"));
    // Not yet: Nitro attestation documents, answered with CiphertextForRecipient.
    request.rejectIfPresent("Recipient");
    request.rejectIfPresent("CustomKeyStoreId");

    byte[] random = new byte[length];
    keys.random().nextBytes(random);
    ObjectNode response = KmsJson.object();
    response.put("Plaintext", KmsJson.base64(random));
    return response;
  }
}
