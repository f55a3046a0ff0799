package dev.keep.emulators.kms;

import java.util.Map;

/** The dispatch table: operation name (the part of X-Amz-Target after "TrentService.") to code. */
final class KmsOperations {
  private KmsOperations() {}

  static Map<String, KmsOperation> table(KeyRegistry keys) {
    return Map.of(
        "CreateKey", new CreateKey(keys),
        "CreateAlias", new CreateAlias(keys),
        "Encrypt", new Encrypt(keys),
        "Decrypt", new Decrypt(keys),
        "GenerateDataKey", new GenerateDataKey(keys),
        "GenerateRandom", new GenerateRandom(keys));
  }
}
