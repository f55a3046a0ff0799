package dev.keep.api.auth;

import dev.keep.schema.encoding.Hex;
import dev.keep.schema.tables.TenantAttributes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Maps {@code Authorization: Bearer <api key>} to a tenant. API keys are stored only as their
 * SHA-256: they are long random strings, so a fast hash is enough, and a table leak does not leak
 * usable keys. The lookup is by hash, so no comparison of secrets happens in this process.
 */
public final class TenantAuthenticator {
  /** API keys are printable and bounded, so a header cannot make the hash step expensive. */
  private static final Pattern API_KEY = Pattern.compile("[A-Za-z0-9._~+/=-]{16,256}");

  private final DynamoDbClient dynamo;
  private final String tenantsTable;

  public TenantAuthenticator(DynamoDbClient dynamo, String tenantsTable) {
    this.dynamo = dynamo;
    this.tenantsTable = tenantsTable;
  }

  /** The tenant for this header value, or empty when it is missing, malformed or unknown. */
  public Optional<Tenant> authenticate(Optional<String> authorization) {
    if (authorization.isEmpty()) {
      return Optional.empty();
    }
    String value = authorization.get().trim();
    if (value.length() < 7 || !value.substring(0, 7).equalsIgnoreCase("Bearer ")) {
      return Optional.empty();
    }
    String apiKey = value.substring(7).trim();
    if (!API_KEY.matcher(apiKey).matches()) {
      return Optional.empty();
    }
    Map<String, AttributeValue> item =
        dynamo
            .getItem(b -> b.tableName(tenantsTable)
                .key(Map.of(TenantAttributes.API_KEY_HASH, AttributeValue.fromS(hash(apiKey)))))
            .item();
    if (item == null || item.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Tenant(item.get(TenantAttributes.TENANT_ID).s()));
  }

  /** SHA-256 of the API key, hex: the value stored in {@code tenants.apiKeyHash}. */
  public static String hash(String apiKey) {
    try {
      return Hex.encode(MessageDigest.getInstance("SHA-256").digest(apiKey.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
