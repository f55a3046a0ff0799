package dev.keep.emulators.kms;

/** Key policies for tests, shaped like Keep's production template (enclave/build). */
final class TestPolicies {
  /** Key management only: never Encrypt, Decrypt or GenerateDataKey. */
  static final String ADMIN =
      """
      {"Sid": "KeyAdministration", "Effect": "Allow",
       "Principal": {"AWS": "arn:aws:iam::000000000000:role/keep-admin"},
       "Action": ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:CreateAlias"],
       "Resource": "*"}\
      """;

  /** No Decrypt or GenerateDataKey without an attestation document (KMS's Null operator). */
  static final String DENY_WITHOUT_RECIPIENT =
      """
      {"Sid": "DenyWithoutAttestation", "Effect": "Deny",
       "Principal": {"AWS": "*"},
       "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
       "Resource": "*",
       "Condition": {"Null": {"kms:RecipientAttestation:ImageSha384": "true"}}}\
      """;

  private TestPolicies() {}

  static String policy(String... statements) {
    return "{\"Version\": \"2012-10-17\", \"Statement\": [" + String.join(",", statements) + "]}";
  }

  /** Decrypt and GenerateDataKey for an enclave whose PCR0, PCR1 and PCR2 are {@code enclave}'s. */
  static String enclaveAllow(String sid, TestEnclave enclave) {
    return """
    {"Sid": "%s", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::000000000000:role/keep-enclave-host"},
     "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
     "Resource": "*",
     "Condition": {"StringEqualsIgnoreCase": {
       "kms:RecipientAttestation:PCR0": "%s",
       "kms:RecipientAttestation:PCR1": "%s",
       "kms:RecipientAttestation:PCR2": "%s"}}}\
    """
        .formatted(sid, enclave.pcrHex(0), enclave.pcrHex(1), enclave.pcrHex(2));
  }

  /** What Keep seals keys under: only {@code enclave}, only with a Recipient. */
  static String enclaveOnly(TestEnclave enclave) {
    return policy(ADMIN, enclaveAllow("EnclaveRelease", enclave), DENY_WITHOUT_RECIPIENT);
  }
}
