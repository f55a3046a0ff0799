package dev.keep.emulators.kms;

/**
 * The PolicyName of Get/PutKeyPolicy: optional, and "default" is the only valid name (KMS API
 * reference, GetKeyPolicy and PutKeyPolicy: "If no policy name is specified, the default value is
 * default. The only valid name is default.").
 */
final class KeyPolicyName {
  static final String DEFAULT = "default";

  private KeyPolicyName() {}

  static void check(KmsRequest request) {
    request
        .optionalString("PolicyName", 1, 128)
        .filter(name -> !name.equals(DEFAULT))
        .ifPresent(
            name -> {
              throw KmsException.validation(
                  "PolicyName", "Member must be \"default\", the only key policy name");
            });
  }
}
