package dev.keep.emulators.kms;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** DescribeKey: a key's metadata by any of its four names, if its policy allows it. */
record DescribeKey(KeyRegistry keys) implements KmsOperation {
  @Override
  public ObjectNode handle(KmsRequest request) {
    String keyId = request.requiredString("KeyId", 1, 2048);
    KmsKey key = keys.resolve(KeyReference.parse(keyId));
    PolicyEvaluator.authorize(key, KmsActions.DESCRIBE_KEY, RequestContext.EMPTY);
    ObjectNode response = KmsJson.object();
    response.set("KeyMetadata", KeyMetadata.of(key));
    return response;
  }
}
