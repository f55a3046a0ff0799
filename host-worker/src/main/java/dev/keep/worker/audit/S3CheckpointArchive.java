package dev.keep.worker.audit;

import dev.keep.schema.audit.Checkpoint;
import dev.keep.schema.encoding.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;

/**
 * Checkpoints in an S3 bucket with Object Lock, each object in compliance mode until {@code
 * retention} from now: nobody, the bucket's owner and the root user included, can delete or
 * overwrite that version before then (S3 User Guide, "Locking objects with Object Lock"). A host
 * that controls DynamoDB can then drop only receipts after a chain's last checkpoint here.
 *
 * <p>The bucket must have been created with Object Lock enabled (which also turns on versioning);
 * S3 refuses a lock on a put to any other bucket, and this archive fails rather than keep an
 * unlocked copy. A put with a lock must carry a checksum; SHA-256 is sent.
 */
public final class S3CheckpointArchive implements CheckpointArchive {
  private final S3Client s3;
  private final String bucket;
  private final String prefix;
  private final Duration retention;
  private final Clock clock;

  public S3CheckpointArchive(S3Client s3, String bucket, String prefix, Duration retention, Clock clock) {
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("retention: must be positive");
    }
    this.s3 = s3;
    this.bucket = bucket;
    this.prefix = prefix == null ? "" : prefix;
    this.retention = retention;
    this.clock = clock;
  }

  @Override
  public void archive(Checkpoint.Signed checkpoint) throws IOException {
    String key = prefix + CheckpointArchive.name(checkpoint.checkpoint());
    byte[] body = (Json.write(checkpoint) + "\n").getBytes(StandardCharsets.UTF_8);
    // To the millisecond, as S3 keeps it, and never on a whole second: that prints without a
    // fraction, which moto's S3 (the tests' emulator) cannot parse back when it checks the lock.
    Instant until = clock.instant().plus(retention).truncatedTo(ChronoUnit.MILLIS);
    Instant retainUntil = until.getNano() == 0 ? until.plusMillis(1) : until;
    try {
      s3.putObject(b -> b.bucket(bucket).key(key).contentType("application/json")
              .objectLockMode(ObjectLockMode.COMPLIANCE).objectLockRetainUntilDate(retainUntil)
              .checksumAlgorithm(ChecksumAlgorithm.SHA256),
          RequestBody.fromBytes(body));
    } catch (SdkException e) {
      throw new IOException("s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return "s3://" + bucket + "/" + prefix + " (Object Lock, compliance mode, " + retention.toDays() + " days)";
  }
}
