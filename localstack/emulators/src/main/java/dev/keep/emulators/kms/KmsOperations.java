package dev.keep.emulators.kms;

import java.util.Map;

/** The dispatch table: operation name (the part of X-Amz-Target after "TrentService.") to code. */
final class KmsOperations {
  private KmsOperations() {}

  static Map<String, KmsOperation> table(KeyRegistry keys, Recipients recipients) {
    return Map.of(
        "CreateKey", new CreateKey(keys),
        "CreateAlias", new CreateAlias(keys),
        "DescribeKey", new DescribeKey(keys),
        "GetKeyPolicy", new GetKeyPolicy(keys),
        "PutKeyPolicy", new PutKeyPolicy(keys),
        "Encrypt", new Encrypt(keys),
        "Decrypt", new Decrypt(keys, recipients),
        "GenerateDataKey", new GenerateDataKey(keys, recipients),
        "GenerateRandom", new GenerateRandom(keys, recipients));
  }
}
