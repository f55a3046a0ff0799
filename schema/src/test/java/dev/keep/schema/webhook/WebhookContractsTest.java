package dev.keep.schema.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keep.schema.api.JobStatus;
import dev.keep.schema.api.JobView;
import dev.keep.schema.encoding.ContractSchema;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.encoding.SchemaViolation;
import dev.keep.schema.queue.DeliveryMessage;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Golden forms of the webhook wire contracts: the delivery queue's message and a delivery's body. */
class WebhookContractsTest {
  @Test
  void theDeliveryMessageIsPinned_andItsSchemaAcceptsIt() throws Exception {
    DeliveryMessage m = DeliveryMessage.of("dlv_" + "0123456789abcdef".repeat(2), "ab".repeat(16), "2026-12-02T12:00:05Z");
    String golden = "{\"v\":1,\"deliveryId\":\"dlv_0123456789abcdef0123456789abcdef\",\"token\":\""
        + "abababababababababababababababab\",\"notBefore\":\"2026-12-02T12:00:05Z\"}";
    assertEquals(golden, Json.write(m));
    assertEquals(m, Json.MAPPER.treeToValue(ContractSchema.DELIVERY_MESSAGE.parse(golden), DeliveryMessage.class));
  }

  @Test
  void aDeliveryMessageThatIsNotOneIsRefusedNamingTheField() {
    assertEquals("deliveryId", assertThrows(SchemaViolation.class, () -> ContractSchema.DELIVERY_MESSAGE.parse(
        "{\"v\":1,\"deliveryId\":\"x\",\"token\":\"" + "ab".repeat(16) + "\",\"notBefore\":\"2026-12-02T12:00:05Z\"}"))
        .field());
    assertEquals("deliveryId", assertThrows(SchemaViolation.class, () -> ContractSchema.DELIVERY_MESSAGE.parse(
        "{\"v\":1,\"deliveryId\":\"dlv_" + "0".repeat(32) + "\",\"deliveryId\":\"dlv_" + "1".repeat(32) + "\"}"))
        .field());
  }

  @Test
  void aJobEventsBodyIsPinned_typeTimestampData_inThatOrder() {
    JobView job = new JobView("j-1", JobStatus.REJECTED, "message", "k-1", "2026-12-02T12:00:00.000000000Z",
        "2026-12-02T12:00:01Z", 1, null, null, null, null, null);
    assertEquals("{\"type\":\"job.rejected\",\"timestamp\":\"2026-12-02T12:00:01Z\",\"data\":{\"jobId\":\"j-1\","
        + "\"status\":\"REJECTED\",\"kind\":\"message\",\"keyId\":\"k-1\",\"createdAt\":\"2026-12-02T12:00:00.000000000Z\","
        + "\"updatedAt\":\"2026-12-02T12:00:01Z\",\"attempts\":1}}",
        Json.write(new WebhookEvent(EventType.JOB_REJECTED, job.updatedAt(), job)));
  }

  @Test
  void eventTypesAreTheirWireNames_andEveryTerminalStatusHasOne() {
    assertEquals(List.of("job.signed", "job.rejected", "job.failed", "job.evaluated", "batch.completed", "webhook.test"),
        Arrays.stream(EventType.values()).map(EventType::wire).toList());
    for (JobStatus s : JobStatus.values()) {
      assertEquals(s.isTerminal(), EventType.forJob(s).isPresent(), s.name());
    }
    assertEquals(EventType.JOB_FAILED, EventType.of("job.failed"));
  }
}
