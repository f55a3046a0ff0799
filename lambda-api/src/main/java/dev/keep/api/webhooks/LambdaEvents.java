package dev.keep.api.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keep.schema.encoding.Json;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The two Lambda event shapes the webhook functions receive, decoded once at the boundary: a
 * DynamoDB stream batch ({@code Records[].dynamodb.NewImage/OldImage} in DynamoDB's JSON, attribute
 * values tagged S, N, B, BOOL, NULL, M, L, SS, NS, BS) and an SQS batch ({@code
 * Records[].messageId/body}); and the partial-batch answer both accept ({@code batchItemFailures},
 * with {@code ReportBatchItemFailures} on the event source mapping).
 */
public final class LambdaEvents {
  private LambdaEvents() {}

  /** One SQS record: its id (for a partial failure) and body. */
  public record SqsRecord(String messageId, String body) {}

  public static List<StreamChange> streamRecords(JsonNode event) {
    List<StreamChange> changes = new ArrayList<>();
    for (JsonNode record : records(event)) {
      JsonNode d = record.path("dynamodb");
      changes.add(new StreamChange(text(record, "eventName"), d.path("SequenceNumber").asText(""),
          image(d.path("OldImage")), image(d.path("NewImage"))));
    }
    return changes;
  }

  public static List<SqsRecord> sqsRecords(JsonNode event) {
    List<SqsRecord> out = new ArrayList<>();
    for (JsonNode record : records(event)) {
      out.add(new SqsRecord(text(record, "messageId"), text(record, "body")));
    }
    return out;
  }

  /** {@code {"batchItemFailures":[{"itemIdentifier":…}]}}. */
  public static String batchItemFailures(List<String> identifiers) {
    ObjectNode answer = Json.MAPPER.createObjectNode();
    ArrayNode failures = answer.putArray("batchItemFailures");
    identifiers.forEach(id -> failures.addObject().put("itemIdentifier", id));
    return Json.write(answer);
  }

  private static JsonNode records(JsonNode event) {
    JsonNode records = event.path("Records");
    if (!records.isArray()) {
      throw new IllegalArgumentException("Records: the event has no array of records");
    }
    return records;
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException(field + ": missing from a record, or not a string");
    }
    return value.asText();
  }

  static Map<String, AttributeValue> image(JsonNode image) {
    if (image.isMissingNode() || image.isNull()) {
      return Map.of();
    }
    Map<String, AttributeValue> item = new HashMap<>();
    image.fields().forEachRemaining(e -> item.put(e.getKey(), attribute(e.getValue(), e.getKey())));
    return item;
  }

  static AttributeValue attribute(JsonNode tagged, String path) {
    if (!tagged.isObject() || tagged.size() != 1) {
      throw new IllegalArgumentException(path + ": an attribute value is an object with one type tag");
    }
    var entry = tagged.fields().next();
    JsonNode v = entry.getValue();
    return switch (entry.getKey()) {
      case "S" -> AttributeValue.fromS(v.asText());
      case "N" -> AttributeValue.fromN(v.asText());
      case "B" -> AttributeValue.fromB(SdkBytes.fromByteArray(Base64.getDecoder().decode(v.asText())));
      case "BOOL" -> AttributeValue.fromBool(v.asBoolean());
      case "NULL" -> AttributeValue.fromNul(true);
      case "SS" -> AttributeValue.fromSs(strings(v));
      case "NS" -> AttributeValue.fromNs(strings(v));
      case "BS" -> AttributeValue.fromBs(strings(v).stream()
          .map(s -> SdkBytes.fromByteArray(Base64.getDecoder().decode(s))).toList());
      case "L" -> {
        List<AttributeValue> list = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
          list.add(attribute(v.get(i), path + "[" + i + "]"));
        }
        yield AttributeValue.fromL(list);
      }
      case "M" -> {
        Map<String, AttributeValue> map = new HashMap<>();
        v.fields().forEachRemaining(e -> map.put(e.getKey(), attribute(e.getValue(), path + "." + e.getKey())));
        yield AttributeValue.fromM(map);
      }
      default -> throw new IllegalArgumentException(path + ": unknown attribute type '" + entry.getKey() + "'");
    };
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
