package dev.keep.emulators.kms;

/** The policy AWS gives a key created without one: the account's IAM decides everything. */
final class DefaultKeyPolicy {
  private DefaultKeyPolicy() {}

  static String forAccount(String accountId) {
    return """
    {"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions",\
    "Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"kms:*","Resource":"*"}]}\
    """
        .formatted(accountId);
  }
}
