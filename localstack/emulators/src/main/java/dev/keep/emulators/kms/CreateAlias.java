package dev.keep.emulators.kms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.regex.Pattern;

/** CreateAlias: a new alias for an existing key; an alias already in use is an error. */
record CreateAlias(KeyRegistry keys) implements KmsOperation {
  private static final Pattern ALIAS = Pattern.compile("alias/[a-zA-Z0-9/_-]+");

  @Override
  public ObjectNode handle(KmsRequest request) {
    String aliasName = request.requiredString("AliasName", 1, 256);
    if (!ALIAS.matcher(aliasName).matches()) {
      throw KmsException.validation(
          "AliasName", "Member must satisfy regular expression pattern: " + ALIAS);
    }
    if (aliasName.startsWith("alias/aws/")) {
      // AWS reserves these for its own service keys.
      throw KmsException.validation("AliasName", "Member must not begin with alias/aws/");
    }
    String target = request.requiredString("TargetKeyId", 1, 2048);
    keys.createAlias(aliasName, KeyReference.parse(target));
    return KmsJson.object();
  }
}
