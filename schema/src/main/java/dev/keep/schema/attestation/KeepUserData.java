package dev.keep.schema.attestation;

import dev.keep.schema.protocol.EnclaveResponse.PolicyRef;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.List;

/**
 * What a Keep enclave puts in its attestation document's {@code user_data}: a commitment to its
 * audit key and to the policies it enforces, so a verifier who checked the PCRs also learns which
 * key signs the enclave's audit receipts and which policy each key runs (ARCHITECTURE.md,
 * "Attestation").
 *
 * <pre>
 *   user_data = SHA-256( "KEEP/attestation/user-data/v2"
 *                        ‖ audit key (32, BIP-340 x-only)
 *                        ‖ u32 count
 *                        ‖ for each key, by key id: u32 len ‖ keyId ‖ u64 version ‖ policy hash (32) )
 * </pre>
 *
 * Integers are big-endian; key ids are UTF-8. The tag names the version, so a verifier that
 * recomputes with another layout gets another hash rather than a false match.
 */
public final class KeepUserData {
  public static final String TAG = "KEEP/attestation/user-data/v2";
  public static final int AUDIT_KEY_LENGTH = 32;

  private KeepUserData() {}

  public static byte[] of(byte[] auditKey, List<PolicyRef> policies) {
    if (auditKey == null || auditKey.length != AUDIT_KEY_LENGTH) {
      throw new IllegalArgumentException("auditKey: must be " + AUDIT_KEY_LENGTH + " bytes (a BIP-340 x-only key)");
    }
    List<PolicyRef> sorted = policies.stream().sorted(Comparator.comparing(PolicyRef::keyId)).toList();
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    sha256.update(TAG.getBytes(StandardCharsets.UTF_8));
    sha256.update(auditKey);
    sha256.update(ByteBuffer.allocate(4).putInt(sorted.size()).array());
    for (PolicyRef p : sorted) {
      byte[] id = p.keyId().getBytes(StandardCharsets.UTF_8);
      sha256.update(ByteBuffer.allocate(4).putInt(id.length).array());
      sha256.update(id);
      sha256.update(ByteBuffer.allocate(8).putLong(p.version()).array());
      sha256.update(java.util.HexFormat.of().parseHex(p.hash()));
    }
    return sha256.digest();
  }
}
