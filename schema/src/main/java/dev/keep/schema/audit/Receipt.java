package dev.keep.schema.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.encoding.Jcs;
import dev.keep.schema.encoding.Json;
import java.util.List;
import java.util.Objects;

/**
 * What the enclave attests about one decision on one job (issue 19): signed inside the enclave by
 * its per-boot audit key, chained to the boot's previous receipt, and stored by the worker beside
 * the job's terminal state.
 *
 * <ul>
 *   <li>{@code seq}: this boot's counter, from 1, without gaps; {@code prev}: the hex SHA-256 of
 *       the previous receipt's canonical form ({@link #link()}), 64 zeros for the first. The
 *       enclave assigns both, so the host cannot drop, reorder or insert a receipt unseen.
 *   <li>{@code bootId}: the hex SHA-256 of the boot's attestation document that commits to
 *       {@code auditKey} (x-only, hex) in its {@code user_data}.
 *   <li>{@code decision}: {@code SIGNED}, {@code REJECTED} or {@code EVALUATED}; {@code rule} and
 *       {@code reason} say why, or are null.
 *   <li>{@code requestDigest} and {@code resultDigest}: the hex SHA-256 of the canonical job
 *       request and result; {@code resultDigest} is null when nothing was signed.
 * </ul>
 *
 * <p>The canonical form is RFC 8785 (JCS) over every member, nulls included. The signature is
 * BIP-340 by {@code auditKey} over {@code TaggedHash("KEEP/receipt/v1", JCS(receipt))}, the
 * BIP-340 tagged hash {@code SHA256(SHA256(tag) || SHA256(tag) || data)}: anyone can check it with
 * any JCS implementation and any BIP-340 library.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Receipt(
    int v,
    long seq,
    String prev,
    String bootId,
    String time,
    String jobId,
    String tenant,
    String keyId,
    String kind,
    String requestDigest,
    String decision,
    String rule,
    String reason,
    Long policyVersion,
    String policyHash,
    String resultDigest,
    String auditKey) {

  public static final int VERSION = 1;
  /** The BIP-340 tag of the receipt signature. */
  public static final String TAG = "KEEP/receipt/v1";
  /** {@code prev} of a boot's first receipt. */
  public static final String GENESIS = "0".repeat(64);
  public static final List<String> DECISIONS = List.of("SIGNED", "REJECTED", "EVALUATED");

  public Receipt {
    if (v != VERSION) {
      throw new IllegalArgumentException("v: must be " + VERSION);
    }
    if (seq < 1) {
      throw new IllegalArgumentException("seq: starts at 1");
    }
    requireHex32(prev, "prev");
    requireHex32(bootId, "bootId");
    requireHex32(requestDigest, "requestDigest");
    requireHex32(auditKey, "auditKey");
    if (resultDigest != null) {
      requireHex32(resultDigest, "resultDigest");
    }
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(kind, "kind");
    if (!DECISIONS.contains(decision)) {
      throw new IllegalArgumentException("decision: must be one of " + DECISIONS);
    }
  }

  private static void requireHex32(String value, String field) {
    if (value == null || value.length() != 64 || !Hex.isHex(value, 32) || !value.equals(value.toLowerCase(java.util.Locale.ROOT))) {
      throw new IllegalArgumentException(field + ": must be 64 lower-case hex digits");
    }
  }

  /** RFC 8785 canonical JSON of every member: what is hashed, signed and linked. */
  public byte[] canonical() {
    return Jcs.canonicalize(Json.MAPPER.valueToTree(this));
  }

  /** What the next receipt's {@code prev} must be: the hex SHA-256 of {@link #canonical()}. */
  public String link() {
    return Hex.encode(Hashes.sha256(canonical()));
  }

  /** The 32 bytes the audit key signs: {@code TaggedHash("KEEP/receipt/v1", JCS(receipt))}. */
  public byte[] signingHash() {
    return Hashes.tagged(TAG, canonical());
  }
}
