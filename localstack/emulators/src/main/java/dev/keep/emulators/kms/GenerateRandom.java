package dev.keep.emulators.kms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * GenerateRandom: 1 to 1024 random bytes from the endpoint's SecureRandom. With a Recipient they
 * come back only inside CiphertextForRecipient. No key is involved, so no key policy applies.
 */
record GenerateRandom(KeyRegistry keys, Recipients recipients) implements KmsOperation {
  @Override
  public ObjectNode handle(KmsRequest request) {
    int length =
        request
            .optionalInt("NumberOfBytes", 1, 1024)
            .orElseThrow(() -> KmsException.validation("NumberOfBytes", "Member must not be null"));
    request.rejectIfPresent("CustomKeyStoreId");
    Optional<AttestedRecipient> recipient = recipients.read(request);

    byte[] random = new byte[length];
    keys.random().nextBytes(random);
    ObjectNode response = KmsJson.object();
    if (recipient.isPresent()) {
      response.put(
          "CiphertextForRecipient",
          KmsJson.base64(CiphertextForRecipient.seal(random, recipient.get(), keys.random())));
    } else {
      response.put("Plaintext", KmsJson.base64(random));
    }
    return response;
  }
}
