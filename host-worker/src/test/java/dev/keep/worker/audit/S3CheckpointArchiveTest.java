package dev.keep.worker.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.emulators.dynamodb.SharedMotoServer;
import dev.keep.schema.audit.Checkpoint;
import dev.keep.schema.encoding.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Checkpoints under S3 Object Lock, against moto's S3 (the same moto server as the tables): the
 * object is locked in compliance mode, and its version cannot be deleted before its time.
 */
class S3CheckpointArchiveTest {
  private static S3Client s3;
  private static final Checkpoint.Signed CHECKPOINT = new Checkpoint.Signed(new Checkpoint("ab".repeat(32), "tenant-a",
      1_000, "cd".repeat(32), "2026-12-02T12:05:00Z", "ef".repeat(32)), "12".repeat(64));

  @BeforeAll
  static void start() {
    s3 = S3Client.builder()
        .endpointOverride(SharedMotoServer.endpoint())
        .forcePathStyle(true)
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .build();
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  private static String bucket(boolean objectLock) {
    String name = "keep-checkpoints-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    s3.createBucket(b -> b.bucket(name).objectLockEnabledForBucket(objectLock));
    return name;
  }

  @Test
  void aCheckpointIsKeptLockedInComplianceMode_andItsVersionCannotBeDeleted() throws Exception {
    String bucket = bucket(true);
    new S3CheckpointArchive(s3, bucket, "audit/", Duration.ofDays(1), Clock.systemUTC()).archive(CHECKPOINT);
    String key = "audit/tenant-a/" + "ab".repeat(32) + "/00000000000000001000.json";
    var head = s3.headObject(b -> b.bucket(bucket).key(key));
    assertEquals(ObjectLockMode.COMPLIANCE, head.objectLockMode());
    assertTrue(head.objectLockRetainUntilDate().isAfter(java.time.Instant.now().plus(Duration.ofHours(23))));
    String body = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asString(StandardCharsets.UTF_8);
    assertEquals(CHECKPOINT, Json.MAPPER.readValue(body, Checkpoint.Signed.class));
    S3Exception refused = assertThrows(S3Exception.class,
        () -> s3.deleteObject(b -> b.bucket(bucket).key(key).versionId(head.versionId())));
    assertEquals(403, refused.statusCode(), refused.getMessage());
  }

  @Test
  void aBucketWithoutObjectLockIsRefused_ratherThanKeepingAnUnlockedCopy() {
    String bucket = bucket(false);
    IOException e = assertThrows(IOException.class,
        () -> new S3CheckpointArchive(s3, bucket, "", Duration.ofDays(1), Clock.systemUTC()).archive(CHECKPOINT));
    assertTrue(e.getMessage().startsWith("s3://" + bucket + "/tenant-a/"), e.getMessage());
  }

  @Test
  void aDirectoryArchiveNeverOverwrites(@TempDir Path dir) throws Exception {
    DirectoryCheckpointArchive archive = new DirectoryCheckpointArchive(dir);
    archive.archive(CHECKPOINT);
    archive.archive(CHECKPOINT); // the same checkpoint again is not an error
    Path file = dir.resolve("tenant-a").resolve("ab".repeat(32)).resolve("00000000000000001000.json");
    assertEquals(Json.write(CHECKPOINT) + "\n", Files.readString(file));
    Checkpoint c = CHECKPOINT.checkpoint();
    Checkpoint.Signed other = new Checkpoint.Signed(new Checkpoint(c.bootId(), c.tenant(), c.seq(), "00".repeat(32),
        c.time(), c.auditKey()), CHECKPOINT.signature());
    IOException e = assertThrows(IOException.class, () -> archive.archive(other));
    assertTrue(e.getMessage().contains("never overwritten"), e.getMessage());
  }
}
