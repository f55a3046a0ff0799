package dev.keep.enclave.policy;

import java.time.Instant;

/** One allowed job as the counters remember it: when it was charged and the sats it moved. */
public record Charge(String jobId, Instant at, long sats) {
  public Charge {
    if (jobId == null || jobId.isEmpty() || at == null) {
      throw new IllegalArgumentException("a charge needs a job id and a time");
    }
    if (sats < 0) {
      throw new IllegalArgumentException("charged sats must not be negative");
    }
  }
}
