package dev.keep.emulators.kms;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * PutKeyPolicy: replaces a key's policy, if the current policy allows kms:PutKeyPolicy. The new
 * policy is parsed and checked in full first, and must pass the lockout safety check.
 */
record PutKeyPolicy(KeyRegistry keys) implements KmsOperation {
  @Override
  public ObjectNode handle(KmsRequest request) {
    String keyId = request.requiredString("KeyId", 1, 2048);
    KeyPolicyName.check(request);
    String text = request.requiredString("Policy", 1, 32_768);
    boolean bypass = request.optionalBoolean("BypassPolicyLockoutSafetyCheck").orElse(false);
    KeyPolicy policy = checked(text, bypass);
    KmsKey key = keys.resolve(KeyReference.parse(keyId));
    PolicyEvaluator.authorize(key, KmsActions.PUT_KEY_POLICY, RequestContext.EMPTY);
    keys.replacePolicy(key, policy);
    return KmsJson.object();
  }

  /**
   * The parsed policy, refused unless it lets a caller put the key policy again: "The key policy
   * must allow the calling principal to make a subsequent PutKeyPolicy request on the KMS key" (KMS
   * API reference, PutKeyPolicy and CreateKey), unless BypassPolicyLockoutSafetyCheck is true.
   * Every caller is the same principal here, so the test is whether any request without a Recipient
   * could be allowed kms:PutKeyPolicy.
   */
  static KeyPolicy checked(String text, boolean bypassLockoutSafetyCheck) {
    KeyPolicy policy = KeyPolicy.parse(text);
    if (!bypassLockoutSafetyCheck
        && !PolicyEvaluator.allows(policy, KmsActions.PUT_KEY_POLICY, RequestContext.EMPTY)) {
      throw new KmsException(
          KmsError.MALFORMED_POLICY,
          "The new key policy will not allow you to update the key policy in the future"
              + " (no statement allows kms:PutKeyPolicy without conditions that only an"
              + " attested request meets); set BypassPolicyLockoutSafetyCheck to override.");
    }
    return policy;
  }
}
