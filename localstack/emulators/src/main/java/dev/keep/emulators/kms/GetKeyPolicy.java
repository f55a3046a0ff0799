package dev.keep.emulators.kms;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** GetKeyPolicy: the key policy exactly as it was set, if the policy allows kms:GetKeyPolicy. */
record GetKeyPolicy(KeyRegistry keys) implements KmsOperation {
  @Override
  public ObjectNode handle(KmsRequest request) {
    String keyId = request.requiredString("KeyId", 1, 2048);
    KeyPolicyName.check(request);
    KmsKey key = keys.resolve(KeyReference.parse(keyId));
    PolicyEvaluator.authorize(key, KmsActions.GET_KEY_POLICY, RequestContext.EMPTY);
    ObjectNode response = KmsJson.object();
    response.put("Policy", key.policy().text());
    response.put("PolicyName", KeyPolicyName.DEFAULT);
    return response;
  }
}
