package dev.keep.schema.attestation;

import dev.keep.schema.protocol.EnclaveResponse.PolicyRef;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.List;

/**
 * What a Keep enclave puts in its attestation document's {@code user_data}: a commitment to the
 * policies it enforces, so a verifier who checked the PCRs also learns which policy each key runs.
 *
 * <pre>
 *   user_data = SHA-256( "KEEP/attestation/user-data/v1"
 *                        ‖ u32 count
 *                        ‖ for each key, by key id: u32 len ‖ keyId ‖ u64 version ‖ policy hash (32) )
 * </pre>
 *
 * The enclave's audit key is to be appended when audit receipts exist (ARCHITECTURE.md, "Audit");
 * that will be a new version of this tag.
 */
public final class KeepUserData {
  public static final String TAG = "KEEP/attestation/user-data/v1";

  private KeepUserData() {}

  public static byte[] of(List<PolicyRef> policies) {
    List<PolicyRef> sorted = policies.stream().sorted(Comparator.comparing(PolicyRef::keyId)).toList();
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    sha256.update(TAG.getBytes(StandardCharsets.UTF_8));
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
