package dev.keep.api.webhooks;

import static dev.keep.schema.tables.WebhookAttributes.CIPHERTEXT;
import static dev.keep.schema.tables.WebhookAttributes.CREATED_AT;
import static dev.keep.schema.tables.WebhookAttributes.DESCRIPTION;
import static dev.keep.schema.tables.WebhookAttributes.DISABLED;
import static dev.keep.schema.tables.WebhookAttributes.DISABLED_REASON;
import static dev.keep.schema.tables.WebhookAttributes.EVENT_TYPES;
import static dev.keep.schema.tables.WebhookAttributes.FAILING_SINCE;
import static dev.keep.schema.tables.WebhookAttributes.SECRETS;
import static dev.keep.schema.tables.WebhookAttributes.SECRET_CREATED_AT;
import static dev.keep.schema.tables.WebhookAttributes.SECRET_EXPIRES_AT;
import static dev.keep.schema.tables.WebhookAttributes.TENANT_ID;
import static dev.keep.schema.tables.WebhookAttributes.UPDATED_AT;
import static dev.keep.schema.tables.WebhookAttributes.URL;
import static dev.keep.schema.tables.WebhookAttributes.WEBHOOK_ID;

import dev.keep.schema.api.WebhookView;
import dev.keep.schema.webhook.EventType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A webhook endpoint as stored: its secrets only as KMS ciphertext, newest first. */
public record Webhook(String webhookId, String tenantId, String url, List<EventType> eventTypes, String description,
    boolean disabled, String disabledReason, String failingSince, String createdAt, String updatedAt,
    List<StoredSecret> secrets) {

  public Webhook {
    eventTypes = List.copyOf(eventTypes);
    secrets = List.copyOf(secrets);
  }

  /** One secret's ciphertext; {@code expiresAt} is set once a newer secret replaced it (24 h of overlap). */
  public record StoredSecret(byte[] ciphertext, String createdAt, String expiresAt) {
    boolean liveAt(Instant now) {
      return expiresAt == null || Instant.parse(expiresAt).isAfter(now);
    }
  }

  public boolean wants(EventType type) {
    return eventTypes.contains(type);
  }

  /** The secrets a delivery at {@code now} is signed with, newest first. */
  public List<StoredSecret> liveSecrets(Instant now) {
    return secrets.stream().filter(s -> s.liveAt(now)).toList();
  }

  public WebhookView view() {
    return new WebhookView(webhookId, url, eventTypes, description, disabled, disabledReason, failingSince, createdAt,
        updatedAt, null);
  }

  Map<String, AttributeValue> toItem() {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put(WEBHOOK_ID, AttributeValue.fromS(webhookId));
    item.put(TENANT_ID, AttributeValue.fromS(tenantId));
    item.put(URL, AttributeValue.fromS(url));
    item.put(EVENT_TYPES, AttributeValue.fromL(eventTypes.stream().map(t -> AttributeValue.fromS(t.wire())).toList()));
    if (description != null) {
      item.put(DESCRIPTION, AttributeValue.fromS(description));
    }
    item.put(DISABLED, AttributeValue.fromBool(disabled));
    if (disabledReason != null) {
      item.put(DISABLED_REASON, AttributeValue.fromS(disabledReason));
    }
    if (failingSince != null) {
      item.put(FAILING_SINCE, AttributeValue.fromS(failingSince));
    }
    item.put(CREATED_AT, AttributeValue.fromS(createdAt));
    item.put(UPDATED_AT, AttributeValue.fromS(updatedAt));
    item.put(SECRETS, secretsValue(secrets));
    return item;
  }

  static AttributeValue secretsValue(List<StoredSecret> secrets) {
    List<AttributeValue> list = new ArrayList<>();
    for (StoredSecret s : secrets) {
      Map<String, AttributeValue> m = new HashMap<>();
      m.put(CIPHERTEXT, AttributeValue.fromB(SdkBytes.fromByteArray(s.ciphertext())));
      m.put(SECRET_CREATED_AT, AttributeValue.fromS(s.createdAt()));
      if (s.expiresAt() != null) {
        m.put(SECRET_EXPIRES_AT, AttributeValue.fromS(s.expiresAt()));
      }
      list.add(AttributeValue.fromM(m));
    }
    return AttributeValue.fromL(list);
  }

  static Webhook fromItem(Map<String, AttributeValue> item) {
    List<StoredSecret> secrets = new ArrayList<>();
    for (AttributeValue v : item.get(SECRETS).l()) {
      Map<String, AttributeValue> m = v.m();
      secrets.add(new StoredSecret(m.get(CIPHERTEXT).b().asByteArray(), m.get(SECRET_CREATED_AT).s(),
          m.containsKey(SECRET_EXPIRES_AT) ? m.get(SECRET_EXPIRES_AT).s() : null));
    }
    secrets.sort(Comparator.comparing(StoredSecret::createdAt).reversed());
    return new Webhook(
        item.get(WEBHOOK_ID).s(),
        item.get(TENANT_ID).s(),
        item.get(URL).s(),
        item.get(EVENT_TYPES).l().stream().map(a -> EventType.of(a.s())).toList(),
        item.containsKey(DESCRIPTION) ? item.get(DESCRIPTION).s() : null,
        item.containsKey(DISABLED) && Boolean.TRUE.equals(item.get(DISABLED).bool()),
        item.containsKey(DISABLED_REASON) ? item.get(DISABLED_REASON).s() : null,
        item.containsKey(FAILING_SINCE) ? item.get(FAILING_SINCE).s() : null,
        item.get(CREATED_AT).s(),
        item.get(UPDATED_AT).s(),
        secrets);
  }
}
