package dev.keep.emulators.kms;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** CreateKey: symmetric encryption keys only, the one kind Keep uses. */
record CreateKey(KeyRegistry keys) implements KmsOperation {
  @Override
  public ObjectNode handle(KmsRequest request) {
    request.requireSymmetricDefault("KeySpec", KmsError.UNSUPPORTED_OPERATION);
    request.requireSymmetricDefault("CustomerMasterKeySpec", KmsError.UNSUPPORTED_OPERATION);
    request
        .optionalString("KeyUsage", 1, 64)
        .filter(usage -> !usage.equals("ENCRYPT_DECRYPT"))
        .ifPresent(
            usage -> {
              throw KmsException.unsupported("KeyUsage " + usage);
            });
    request
        .optionalString("Origin", 1, 64)
        .filter(origin -> !origin.equals("AWS_KMS"))
        .ifPresent(
            origin -> {
              throw KmsException.unsupported("Origin " + origin);
            });
    if (request.optionalBoolean("MultiRegion").orElse(false)) {
      throw KmsException.unsupported("MultiRegion");
    }
    request.rejectIfPresent("CustomKeyStoreId");
    request.rejectIfPresent("XksKeyId");
    String description = request.optionalString("Description", 0, 8192).orElse("");
    String policy =
        request.optionalString("Policy", 1, 32768).map(CreateKey::requireJsonObject).orElse(null);

    KmsKey key = keys.create(description, policy);
    ObjectNode response = KmsJson.object();
    response.set("KeyMetadata", KeyMetadata.of(key));
    return response;
  }

  /** Policies are not evaluated yet, but a policy that is not even JSON is refused, as in AWS. */
  private static String requireJsonObject(String policy) {
    try {
      JsonNode node = KmsJson.MAPPER.readTree(policy);
      if (node != null && node.isObject()) {
        return policy;
      }
    } catch (JsonProcessingException e) {
      // fall through
    }
    throw new KmsException(KmsError.MALFORMED_POLICY, "Policy is not a JSON object");
  }
}
