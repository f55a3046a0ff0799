package dev.keep.schema.audit;

import dev.keep.schema.encoding.Hex;
import dev.keep.schema.encoding.Jcs;
import dev.keep.schema.encoding.Json;
import java.util.Objects;

/**
 * The enclave's statement that its boot {@code bootId} had issued {@code seq} receipts to tenant
 * {@code tenant}, the last of which links to {@code head} ({@link Receipt#link()}; 64 zeros before
 * the first). Signed like a receipt, under its own tag,
 * over its JCS form: {@code TaggedHash("KEEP/checkpoint/v1", JCS(checkpoint))}. Kept where the host
 * cannot erase it, it makes dropping the tail of a chain before it detectable.
 */
public record Checkpoint(String bootId, String tenant, long seq, String head, String time, String auditKey) {
  public static final String TAG = "KEEP/checkpoint/v1";

  public Checkpoint {
    Objects.requireNonNull(bootId, "bootId");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(head, "head");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(auditKey, "auditKey");
    if (seq < 0) {
      throw new IllegalArgumentException("seq: not negative");
    }
  }

  public byte[] canonical() {
    return Jcs.canonicalize(Json.MAPPER.valueToTree(this));
  }

  public byte[] signingHash() {
    return Hashes.tagged(TAG, canonical());
  }

  /** A checkpoint and its BIP-340 signature (hex) by {@code auditKey}. */
  public record Signed(Checkpoint checkpoint, String signature) {
    public Signed {
      Objects.requireNonNull(checkpoint, "checkpoint");
      if (signature == null || !Hex.isHex(signature, 64)) {
        throw new IllegalArgumentException("signature: must be 128 hex digits (a BIP-340 signature)");
      }
    }
  }
}
