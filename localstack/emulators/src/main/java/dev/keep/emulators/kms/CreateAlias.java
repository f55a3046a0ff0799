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
    KeyReference target = KeyReference.parse(request.requiredString("TargetKeyId", 1, 2048));
    if (target instanceof KeyReference.AliasName || target instanceof KeyReference.AliasArn) {
      throw KmsException.validation(
          "TargetKeyId", "Member must be a key id or key ARN, not an alias");
    }
    KmsKey key = keys.resolve(target);
    // AWS also asks IAM about the alias itself; here the key policy alone decides.
    PolicyEvaluator.authorize(key, KmsActions.CREATE_ALIAS, RequestContext.EMPTY);
    keys.createAlias(aliasName, key);
    return KmsJson.object();
  }
}
