package dev.keep.worker.jobs;

import dev.keep.schema.api.JobStatus;
import java.time.Instant;

/** What happened when a worker tried to claim a job. */
public sealed interface Claim {
  /** The worker holds the lease until {@code leaseExpiresAt}. */
  record Claimed(Job job, Instant leaseExpiresAt) implements Claim {}

  /** The job already ended; the message is a duplicate and can be deleted. */
  record AlreadyTerminal(JobStatus status) implements Claim {}

  /** Another worker holds a live lease; try again after it expires. */
  record LeasedByOther(String owner, Instant leaseExpiresAt) implements Claim {}

  /** No such job: the message is stale or forged. */
  record NotFound() implements Claim {}
}
