package dev.keep.emulators.kms;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * CreateKey: symmetric encryption keys only, the one kind Keep uses. A Policy is parsed and checked
 * as PutKeyPolicy checks it; without one the key gets the default key policy AWS gives.
 */
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
    boolean bypass = request.optionalBoolean("BypassPolicyLockoutSafetyCheck").orElse(false);
    KeyPolicy policy =
        PutKeyPolicy.checked(
            request
                .optionalString("Policy", 1, 32_768)
                .orElseGet(() -> DefaultKeyPolicy.forAccount(keys.accountId())),
            bypass);

    KmsKey key = keys.create(description, policy);
    ObjectNode response = KmsJson.object();
    response.set("KeyMetadata", KeyMetadata.of(key));
    return response;
  }
}
