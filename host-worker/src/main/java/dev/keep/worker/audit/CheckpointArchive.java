package dev.keep.worker.audit;

import dev.keep.schema.audit.Checkpoint;
import java.io.IOException;

/**
 * Where checkpoints are kept beyond the host's reach: an S3 bucket under Object Lock in AWS, a
 * directory locally. A checkpoint kept there bounds what a host that controls DynamoDB can drop
 * unseen: only receipts after a chain's last archived checkpoint.
 */
public interface CheckpointArchive {
  /** Keeps {@code checkpoint}; keeping the same checkpoint twice is not an error. */
  void archive(Checkpoint.Signed checkpoint) throws IOException;

  /** Where, for logs and the operator. */
  String describe();

  /** The object name of a checkpoint: {@code tenant/bootId/seq} (20 digits) {@code .json}. */
  static String name(Checkpoint checkpoint) {
    return checkpoint.tenant() + "/" + checkpoint.bootId() + "/" + String.format("%020d", checkpoint.seq()) + ".json";
  }
}
