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

  /**
   * How long an API key, once found, is accepted without reading the table again: a key revoked in
   * the table is refused by every API container within this time. A Lambda container answers many
   * requests, and without this each would cost a read.
   */
  public static final java.time.Duration REMEMBERED = java.time.Duration.ofSeconds(60);

  private static final int REMEMBERED_KEYS = 1_000;

  private record Known(Tenant tenant, long untilNanos) {}

  private final DynamoDbClient dynamo;
  private final String tenantsTable;
  /** By the key's hash, never the key: what this process remembers is what the table holds. */
  private final Map<String, Known> known =
      java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Known> eldest) {
          return size() > REMEMBERED_KEYS;
        }
      });

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
    String hash = hash(apiKey);
    Known cached = known.get(hash);
    if (cached != null && System.nanoTime() - cached.untilNanos() < 0) {
      return Optional.of(cached.tenant());
    }
    Map<String, AttributeValue> item =
        dynamo
            .getItem(b -> b.tableName(tenantsTable)
                .key(Map.of(TenantAttributes.API_KEY_HASH, AttributeValue.fromS(hash))))
            .item();
    if (item == null || item.isEmpty()) {
      known.remove(hash);
      return Optional.empty();
    }
    Tenant tenant = new Tenant(item.get(TenantAttributes.TENANT_ID).s(),
        item.containsKey(TenantAttributes.RATE_PER_SECOND)
            ? Double.parseDouble(item.get(TenantAttributes.RATE_PER_SECOND).n()) : Tenant.DEFAULT_RATE_PER_SECOND,
        item.containsKey(TenantAttributes.RATE_BURST)
            ? Integer.parseInt(item.get(TenantAttributes.RATE_BURST).n()) : Tenant.DEFAULT_BURST,
        Tenant.Role.of(item.containsKey(TenantAttributes.ROLE) ? item.get(TenantAttributes.ROLE).s() : null));
    known.put(hash, new Known(tenant, System.nanoTime() + REMEMBERED.toNanos()));
    return Optional.of(tenant);
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
