package dev.keep.emulators.kms;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A key policy: the JSON document exactly as it was set (GetKeyPolicy returns it unchanged) and its
 * statements, parsed once when it is set. Parsing is strict, and every refusal is a
 * MalformedPolicyDocumentException naming the element and the rule, e.g. {@code
 * Statement[1].Condition.StringEquals.kms:RecipientAttestation:PCR9: unknown condition key}.
 *
 * <p>Supported, after the IAM JSON policy reference
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html): Version, Id,
 * and Statement (one object or a list) with Sid, Effect (Allow, Deny), Principal (shape only: there
 * is no IAM here, so every principal matches every caller), Action (a string or a list; "*",
 * "kms:*", "kms:Decrypt", wildcards), Resource ("*", the key itself) and Condition (StringEquals,
 * StringEqualsIgnoreCase, Null over the keys of {@link ConditionKeys}). Anything else (NotAction,
 * NotPrincipal, other operators) is refused rather than ignored, because ignoring it would allow
 * more than the policy says.
 */
record KeyPolicy(String text, List<PolicyStatement> statements) {
  private static final Set<String> VERSIONS = Set.of("2012-10-17", "2008-10-17");
  private static final Set<String> TOP_LEVEL = Set.of("Version", "Id", "Statement");
  private static final Set<String> STATEMENT_FIELDS =
      Set.of("Sid", "Effect", "Principal", "Action", "Resource", "Condition");

  KeyPolicy {
    statements = List.copyOf(statements);
  }

  static KeyPolicy parse(String text) {
    JsonNode root;
    try {
      root = KmsJson.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw malformed(
          "Policy",
          "not JSON (error at line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ")");
    }
    if (root == null || !root.isObject()) {
      throw malformed("Policy", "must be a JSON object");
    }
    for (String field : fieldNames(root)) {
      if (!TOP_LEVEL.contains(field)) {
        throw malformed(field, "unknown element; a key policy has Version, Id and Statement");
      }
    }
    JsonNode version = root.get("Version");
    if (version != null && !(version.isTextual() && VERSIONS.contains(version.textValue()))) {
      throw malformed("Version", "must be \"2012-10-17\" or \"2008-10-17\"");
    }
    JsonNode id = root.get("Id");
    if (id != null && !id.isTextual()) {
      throw malformed("Id", "must be a string");
    }
    JsonNode statement = root.get("Statement");
    if (statement == null) {
      throw malformed("Statement", "is required");
    }
    List<JsonNode> nodes = new ArrayList<>();
    if (statement.isArray()) {
      statement.forEach(nodes::add);
    } else {
      nodes.add(statement);
    }
    if (nodes.isEmpty()) {
      throw malformed("Statement", "must have at least one statement");
    }
    List<PolicyStatement> statements = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      String path = statement.isArray() ? "Statement[" + i + "]" : "Statement";
      statements.add(statement(nodes.get(i), path, i));
    }
    return new KeyPolicy(text, statements);
  }

  static KmsException malformed(String path, String rule) {
    return new KmsException(
        KmsError.MALFORMED_POLICY, "The key policy is malformed: " + path + ": " + rule);
  }

  private static PolicyStatement statement(JsonNode node, String path, int index) {
    if (!node.isObject()) {
      throw malformed(path, "must be a JSON object");
    }
    for (String field : fieldNames(node)) {
      if (!STATEMENT_FIELDS.contains(field)) {
        String rule =
            field.startsWith("Not")
                ? "is not supported by Keep's local KMS (list what is allowed instead)"
                : "unknown element; a statement has Sid, Effect, Principal, Action, Resource"
                    + " and Condition";
        throw malformed(path + "." + field, rule);
      }
    }
    String label = "#" + (index + 1);
    JsonNode sid = node.get("Sid");
    if (sid != null) {
      if (!sid.isTextual()) {
        throw malformed(path + ".Sid", "must be a string");
      }
      label = "\"" + sid.textValue() + "\"";
    }
    PolicyStatement.Effect effect =
        switch (text(node, "Effect", path)) {
          case "Allow" -> PolicyStatement.Effect.ALLOW;
          case "Deny" -> PolicyStatement.Effect.DENY;
          default -> throw malformed(path + ".Effect", "must be \"Allow\" or \"Deny\"");
        };
    checkPrincipal(node.get("Principal"), path + ".Principal");
    List<String> actions = strings(node.get("Action"), path + ".Action");
    for (int i = 0; i < actions.size(); i++) {
      if (!KmsActions.isValidPattern(actions.get(i))) {
        throw malformed(
            path + ".Action",
            "\""
                + actions.get(i)
                + "\" is not \"*\", \"kms:*\" or a KMS action such as kms:Decrypt");
      }
    }
    List<String> resources = strings(node.get("Resource"), path + ".Resource");
    if (!resources.equals(List.of("*"))) {
      throw malformed(path + ".Resource", "must be \"*\" (in a key policy, the key itself)");
    }
    return new PolicyStatement(label, effect, actions, conditions(node.get("Condition"), path));
  }

  /** A principal is "*" or {"AWS"|"Service"|...: a string or a list of strings}. */
  private static void checkPrincipal(JsonNode principal, String path) {
    if (principal == null) {
      throw malformed(path, "is required in a key policy statement");
    }
    if (principal.isTextual() && principal.textValue().equals("*")) {
      return;
    }
    if (!principal.isObject() || principal.isEmpty()) {
      throw malformed(path, "must be \"*\" or an object such as {\"AWS\": \"<arn>\"}");
    }
    for (Map.Entry<String, JsonNode> entry : principal.properties()) {
      strings(entry.getValue(), path + "." + entry.getKey());
    }
  }

  private static List<PolicyCondition> conditions(JsonNode block, String statementPath) {
    if (block == null) {
      return List.of();
    }
    String path = statementPath + ".Condition";
    if (!block.isObject()) {
      throw malformed(path, "must be an object of condition operators");
    }
    List<PolicyCondition> conditions = new ArrayList<>();
    for (Map.Entry<String, JsonNode> byOperator : block.properties()) {
      String operatorPath = path + "." + byOperator.getKey();
      PolicyCondition.Operator operator =
          PolicyCondition.Operator.byName(byOperator.getKey())
              .orElseThrow(
                  () ->
                      malformed(
                          operatorPath,
                          "unknown condition operator; Keep's local KMS knows StringEquals,"
                              + " StringEqualsIgnoreCase and Null"));
      if (!byOperator.getValue().isObject() || byOperator.getValue().isEmpty()) {
        throw malformed(operatorPath, "must be an object of condition keys to values");
      }
      for (Map.Entry<String, JsonNode> byKey : byOperator.getValue().properties()) {
        String keyPath = operatorPath + "." + byKey.getKey();
        ConditionKeys.Kind kind = ConditionKeys.kindOf(byKey.getKey(), keyPath);
        List<String> values =
            operator == PolicyCondition.Operator.NULL
                ? List.of(nullValue(byKey.getValue(), keyPath))
                : strings(byKey.getValue(), keyPath);
        if (operator != PolicyCondition.Operator.NULL && kind == ConditionKeys.Kind.ATTESTATION) {
          values.forEach(value -> ConditionKeys.checkAttestationValue(value, keyPath));
        }
        conditions.add(new PolicyCondition(operator, byKey.getKey(), kind, values));
      }
    }
    return conditions;
  }

  /** Null takes "true" or "false", as a string or a JSON boolean. */
  private static String nullValue(JsonNode value, String path) {
    if (value.isBoolean()) {
      return Boolean.toString(value.booleanValue());
    }
    if (value.isTextual()
        && (value.textValue().equals("true") || value.textValue().equals("false"))) {
      return value.textValue();
    }
    throw malformed(path, "a Null condition takes \"true\" or \"false\"");
  }

  private static String text(JsonNode node, String field, String path) {
    JsonNode value = node.get(field);
    if (value == null) {
      throw malformed(path + "." + field, "is required");
    }
    if (!value.isTextual()) {
      throw malformed(path + "." + field, "must be a string");
    }
    return value.textValue();
  }

  /** A string or a non-empty list of strings. */
  private static List<String> strings(JsonNode value, String path) {
    if (value == null) {
      throw malformed(path, "is required");
    }
    if (value.isTextual()) {
      return List.of(value.textValue());
    }
    if (!value.isArray() || value.isEmpty()) {
      throw malformed(path, "must be a string or a non-empty list of strings");
    }
    List<String> strings = new ArrayList<>();
    for (JsonNode element : value) {
      if (!element.isTextual()) {
        throw malformed(path, "must be a string or a non-empty list of strings");
      }
      strings.add(element.textValue());
    }
    return strings;
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
