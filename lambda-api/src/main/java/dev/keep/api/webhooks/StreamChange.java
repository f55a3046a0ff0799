package dev.keep.api.webhooks;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One record of the jobs table's stream (view type NEW_AND_OLD_IMAGES): what the dispatcher reads,
 * whether it came through Lambda's event JSON or the local stack's streams poller. An image is
 * empty when the record has none (an INSERT has no old image, a REMOVE no new one).
 */
public record StreamChange(String eventName, String sequenceNumber, Map<String, AttributeValue> oldImage,
    Map<String, AttributeValue> newImage) {
  public StreamChange {
    oldImage = oldImage == null ? Map.of() : Map.copyOf(oldImage);
    newImage = newImage == null ? Map.of() : Map.copyOf(newImage);
  }

  /** A record as the SDK's DynamoDB Streams client reads it (the local stack's poller, the tests). */
  public static StreamChange of(software.amazon.awssdk.services.dynamodb.model.Record record) {
    var d = record.dynamodb();
    return new StreamChange(record.eventNameAsString(), d.sequenceNumber(), d.hasOldImage() ? d.oldImage() : null,
        d.hasNewImage() ? d.newImage() : null);
  }
}
