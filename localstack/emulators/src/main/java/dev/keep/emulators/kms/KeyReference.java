package dev.keep.emulators.kms;

import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The four ways a request may name a key: key id, key ARN, alias name, alias ARN. Parsing once into
 * a closed set lets every operation resolve all four the same way.
 */
sealed interface KeyReference {
  Pattern ARN = Pattern.compile("arn:aws:kms:([a-z0-9-]+):(\\d{12}):(key|alias)/(.+)");
  String ALIAS_PREFIX = "alias/";

  /** The reference as the client wrote it, for error messages. */
  String text();

  record KeyId(String id) implements KeyReference {
    @Override
    public String text() {
      return id;
    }
  }

  record KeyArn(String region, String account, String id, String text) implements KeyReference {}

  record AliasName(String name) implements KeyReference {
    @Override
    public String text() {
      return name;
    }
  }

  record AliasArn(String region, String account, String name, String text)
      implements KeyReference {}

  static KeyReference parse(String text) {
    if (text.startsWith(ALIAS_PREFIX)) {
      return new AliasName(text);
    }
    Matcher arn = ARN.matcher(text);
    if (arn.matches()) {
      return switch (arn.group(3)) {
        case "key" -> new KeyArn(arn.group(1), arn.group(2), arn.group(4), text);
        default -> new AliasArn(arn.group(1), arn.group(2), ALIAS_PREFIX + arn.group(4), text);
      };
    }
    if (isUuid(text)) {
      return new KeyId(text);
    }
    throw new KmsException(KmsError.NOT_FOUND, "Invalid keyId '" + text + "'");
  }

  private static boolean isUuid(String text) {
    try {
      return UUID.fromString(text).toString().equals(text);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
