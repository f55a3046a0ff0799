package dev.keep.schema.tables;

/** Attribute names of the {@code tenants} and {@code keys} tables. */
public final class TenantAttributes {
  /** SHA-256 (hex) of the API key; the key itself is never stored. */
  public static final String API_KEY_HASH = "apiKeyHash";
  public static final String TENANT_ID = "tenantId";
  /** The tenant's request rate (a token bucket refilled this many times a second) and its burst. */
  public static final String RATE_PER_SECOND = "rateLimitPerSecond";
  public static final String RATE_BURST = "rateLimitBurst";
  public static final String NAME = "name";
  /**
   * What the API key may do: {@code submitter} (the default when absent) or {@code auditor}, which
   * reads and never creates or changes anything (issue 19).
   */
  public static final String ROLE = "role";
  public static final String CREATED_AT = "createdAt";

  /** {@code keys} table. */
  public static final String KEY_ID = "keyId";
  public static final String PUBLIC_KEY = "publicKey";
  public static final String KEY_TYPE = "keyType";

  private TenantAttributes() {}
}
