package dev.keep.emulators.kms;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The KMS action names a key policy may list (AWS KMS developer guide, "AWS KMS permissions",
 * https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html). A
 * policy naming an action outside this set is refused, so a misspelt Deny cannot silently deny
 * nothing. Patterns with wildcards ("kms:Describe*") are not checked against it.
 */
final class KmsActions {
  static final String ENCRYPT = "kms:Encrypt";
  static final String DECRYPT = "kms:Decrypt";
  static final String GENERATE_DATA_KEY = "kms:GenerateDataKey";
  static final String DESCRIBE_KEY = "kms:DescribeKey";
  static final String GET_KEY_POLICY = "kms:GetKeyPolicy";
  static final String PUT_KEY_POLICY = "kms:PutKeyPolicy";
  static final String CREATE_ALIAS = "kms:CreateAlias";

  private static final Set<String> KNOWN =
      Stream.of(
              "CancelKeyDeletion",
              "ConnectCustomKeyStore",
              "CreateAlias",
              "CreateCustomKeyStore",
              "CreateGrant",
              "CreateKey",
              "Decrypt",
              "DeleteAlias",
              "DeleteCustomKeyStore",
              "DeleteImportedKeyMaterial",
              "DeriveSharedSecret",
              "DescribeCustomKeyStores",
              "DescribeKey",
              "DisableKey",
              "DisableKeyRotation",
              "DisconnectCustomKeyStore",
              "EnableKey",
              "EnableKeyRotation",
              "Encrypt",
              "GenerateDataKey",
              "GenerateDataKeyPair",
              "GenerateDataKeyPairWithoutPlaintext",
              "GenerateDataKeyWithoutPlaintext",
              "GenerateMac",
              "GenerateRandom",
              "GetKeyPolicy",
              "GetKeyRotationStatus",
              "GetParametersForImport",
              "GetPublicKey",
              "ImportKeyMaterial",
              "ListAliases",
              "ListGrants",
              "ListKeyPolicies",
              "ListKeyRotations",
              "ListKeys",
              "ListResourceTags",
              "ListRetirableGrants",
              "PutKeyPolicy",
              "ReEncryptFrom",
              "ReEncryptTo",
              "ReplicateKey",
              "RetireGrant",
              "RevokeGrant",
              "RotateKeyOnDemand",
              "ScheduleKeyDeletion",
              "Sign",
              "SynchronizeMultiRegionKey",
              "TagResource",
              "UntagResource",
              "UpdateAlias",
              "UpdateCustomKeyStore",
              "UpdateKeyDescription",
              "UpdatePrimaryRegion",
              "Verify",
              "VerifyMac")
          .map(name -> ("kms:" + name).toLowerCase(Locale.ROOT))
          .collect(Collectors.toUnmodifiableSet());

  private KmsActions() {}

  /** "*", a "kms:" pattern with wildcards, or a known KMS action, in any case. */
  static boolean isValidPattern(String action) {
    String lower = action.toLowerCase(Locale.ROOT);
    if (lower.equals("*")) {
      return true;
    }
    if (!lower.startsWith("kms:") || lower.length() == 4) {
      return false;
    }
    String name = lower.substring(4);
    if (name.contains("*") || name.contains("?")) {
      return name.chars().allMatch(c -> Character.isLetter(c) || c == '*' || c == '?');
    }
    return KNOWN.contains(lower);
  }
}
