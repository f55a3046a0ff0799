package dev.keep.schema.webhook;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.keep.schema.api.JobStatus;
import java.util.Arrays;
import java.util.Optional;

/**
 * The events a webhook endpoint may subscribe to, by their wire names. Names follow the Standard
 * Webhooks recommendation: full-stop delimited, hierarchical, {@code [a-z_.]} only.
 */
public enum EventType {
  JOB_SIGNED("job.signed"),
  JOB_REJECTED("job.rejected"),
  JOB_FAILED("job.failed"),
  JOB_EVALUATED("job.evaluated"),
  /** Once per batch, when its last job reaches a terminal status. */
  BATCH_COMPLETED("batch.completed"),
  /** Only on {@code POST /v1/webhooks/{id}/test}. */
  WEBHOOK_TEST("webhook.test");

  private final String wire;

  EventType(String wire) {
    this.wire = wire;
  }

  @JsonValue
  public String wire() {
    return wire;
  }

  @JsonCreator
  public static EventType of(String wire) {
    return Arrays.stream(values()).filter(t -> t.wire.equals(wire)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown event type '" + wire + "'"));
  }

  /** The event a job's arrival at {@code status} makes, if that status is terminal. */
  public static Optional<EventType> forJob(JobStatus status) {
    return switch (status) {
      case SIGNED -> Optional.of(JOB_SIGNED);
      case REJECTED -> Optional.of(JOB_REJECTED);
      case FAILED -> Optional.of(JOB_FAILED);
      case EVALUATED -> Optional.of(JOB_EVALUATED);
      case QUEUED, RUNNING -> Optional.empty();
    };
  }
}
