package dev.keep.schema.tables;

/** Attribute names of the {@code webhooks} table, written by the API and read by the webhook sender. */
public final class WebhookAttributes {
  public static final String WEBHOOK_ID = "webhookId";
  public static final String TENANT_ID = "tenantId";
  public static final String URL = "url";
  /** A string set of {@code EventType} wire names. */
  public static final String EVENT_TYPES = "eventTypes";
  public static final String DESCRIPTION = "description";
  public static final String DISABLED = "disabled";
  public static final String DISABLED_REASON = "disabledReason";
  public static final String CREATED_AT = "createdAt";
  public static final String UPDATED_AT = "updatedAt";
  /**
   * A list of maps, newest first: {@link #CIPHERTEXT} (KMS ciphertext of the 32 secret bytes),
   * {@link #SECRET_CREATED_AT}, and {@link #SECRET_EXPIRES_AT} once a newer secret replaced it.
   */
  public static final String SECRETS = "secrets";
  public static final String CIPHERTEXT = "ciphertext";
  public static final String SECRET_CREATED_AT = "createdAt";
  public static final String SECRET_EXPIRES_AT = "expiresAt";
  /** When the endpoint's current run of failed attempts began; absent after a success. */
  public static final String FAILING_SINCE = "failingSince";

  private WebhookAttributes() {}
}
