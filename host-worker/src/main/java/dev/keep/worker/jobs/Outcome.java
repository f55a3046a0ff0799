package dev.keep.worker.jobs;

import dev.keep.schema.api.JobStatus;

/** The terminal state a worker writes for a job. */
public sealed interface Outcome {
  JobStatus status();

  /** The enclave signed; {@code resultJson} is the API's result object. */
  record Signed(String resultJson) implements Outcome {
    @Override
    public JobStatus status() {
      return JobStatus.SIGNED;
    }
  }

  /** A dry run is done; {@code resultJson} is the API's policy-decision result. Nothing was signed. */
  record Evaluated(String resultJson, boolean allowed, String ruleId) implements Outcome {
    @Override
    public JobStatus status() {
      return JobStatus.EVALUATED;
    }
  }

  /** The enclave refused; retrying cannot help. */
  record Rejected(String code, String message) implements Outcome {
    @Override
    public JobStatus status() {
      return JobStatus.REJECTED;
    }
  }

  /** Attempts ran out or delivery failed for good. */
  record Failed(String code, String message) implements Outcome {
    @Override
    public JobStatus status() {
      return JobStatus.FAILED;
    }
  }
}
