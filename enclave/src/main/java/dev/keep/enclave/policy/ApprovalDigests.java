package dev.keep.enclave.policy;

import dev.keep.enclave.signing.Digest32;
import dev.keep.enclave.signing.TaggedHash;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * What approvers sign: a BIP-340 tagged hash (BIP-340 §Design, tag per job kind) over the key id
 * and exactly what the job would sign, each field as a 4-byte big-endian length and its bytes.
 * An approver computes it from the job they review, before the API gives the job an id, so the
 * job id is not part of it: an approval is for a spend, and the policy's counters, not the
 * approval, stop it being used twice.
 *
 * <ul>
 *   <li>{@code KEEP/approval/psbt}: key id, the unsigned transaction (BIP-174 non-witness
 *       serialisation): the inputs, outputs, amounts and lock time that will be signed.
 *   <li>{@code KEEP/approval/message}: key id, scheme, path ("" for none), message bytes.
 *   <li>{@code KEEP/approval/digest}: key id, scheme, path, the 32-byte digest.
 *   <li>{@code KEEP/approval/nostr_event}: key id, path, the NIP-01 event id.
 * </ul>
 */
public final class ApprovalDigests {
  private ApprovalDigests() {}

  public static Digest32 psbt(String keyId, byte[] unsignedTx) {
    return hash("KEEP/approval/psbt", utf8(keyId), unsignedTx);
  }

  public static Digest32 message(String keyId, String scheme, String path, byte[] message) {
    return hash("KEEP/approval/message", utf8(keyId), utf8(scheme), utf8(path == null ? "" : path), message);
  }

  public static Digest32 digest(String keyId, String scheme, String path, byte[] digest) {
    return hash("KEEP/approval/digest", utf8(keyId), utf8(scheme), utf8(path == null ? "" : path), digest);
  }

  public static Digest32 nostrEvent(String keyId, String path, byte[] eventId) {
    return hash("KEEP/approval/nostr_event", utf8(keyId), utf8(path == null ? "" : path), eventId);
  }

  /**
   * What policy admins sign to replace a key's policy: {@code KEEP/policy-update} over the key id,
   * the current policy's hash, the new one's hash, and the new version (8 bytes, big-endian), so
   * an approval cannot be replayed onto another key, another starting point or another version.
   */
  public static Digest32 policyUpdate(String keyId, PolicyHash current, PolicyHash next, long version) {
    byte[] v = java.nio.ByteBuffer.allocate(8).putLong(version).array();
    return hash("KEEP/policy-update", utf8(keyId), current.toBytes(), next.toBytes(), v);
  }

  private static Digest32 hash(String tag, byte[]... fields) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] f : fields) {
      out.write(f.length >>> 24);
      out.write(f.length >>> 16);
      out.write(f.length >>> 8);
      out.write(f.length);
      out.writeBytes(f);
    }
    return TaggedHash.of(tag, out.toByteArray());
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
