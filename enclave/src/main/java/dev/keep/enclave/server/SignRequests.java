package dev.keep.enclave.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.enclave.keys.KeyMaterial;
import dev.keep.enclave.keys.KeyStore;
import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.enclave.keys.hd.DerivationPath;
import dev.keep.enclave.nostr.EventId;
import dev.keep.enclave.nostr.SignedEvent;
import dev.keep.enclave.nostr.UnsignedEvent;
import dev.keep.enclave.policy.ApprovalDigests;
import dev.keep.enclave.policy.JobFacts;
import dev.keep.enclave.signing.BitcoinSignedMessage;
import dev.keep.enclave.signing.Digest32;
import dev.keep.enclave.signing.EcdsaSignature;
import dev.keep.enclave.signing.Message;
import dev.keep.enclave.signing.SchnorrSignature;
import dev.keep.enclave.signing.Signer;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.ErrorCode;

/**
 * Signing, with domain separation: a job says what it signs, and the enclave computes what it
 * signs from that. A bare 32-byte value (a {@code digest} job, or a BIP-340 message that happens
 * to be 32 bytes long) is signed only for keys configured to allow digests, because it cannot be
 * told apart from a Nostr event id or a taproot sighash.
 */
final class SignRequests {
  private final KeyRequests keys;
  private final Signer signer;
  private final PolicyRequests policies;

  SignRequests(KeyRequests keys, Signer signer, PolicyRequests policies) {
    this.keys = keys;
    this.signer = signer;
    this.policies = policies;
  }

  /** What the policy sees of a message job. */
  JobFacts facts(EnclaveRequest.SignMessage request) throws Refused {
    return JobFacts.message(request.jobId(), ApprovalDigests.message(request.keyId(), request.scheme(),
        request.path(), Hex.decode("message", request.message())), policies.now())
        .withApprovals(PolicyRequests.approvals(request));
  }

  JobFacts facts(EnclaveRequest.SignDigest request) throws Refused {
    return JobFacts.digest(request.jobId(), ApprovalDigests.digest(request.keyId(), request.scheme(),
        request.path(), Hex.decode("digest", request.digest())), policies.now())
        .withApprovals(PolicyRequests.approvals(request));
  }

  JobFacts facts(EnclaveRequest.SignEvent request) throws Refused {
    UnsignedEvent event = parseEvent(request);
    return facts(request, event, EventId.of(event));
  }

  /** The facts of an event already parsed and hashed, so signing does neither twice. */
  private JobFacts facts(EnclaveRequest.SignEvent request, UnsignedEvent event, EventId id) throws Refused {
    return JobFacts.nostrEvent(request.jobId(), event.kind(),
        ApprovalDigests.nostrEvent(request.keyId(), request.path(), id.toBytes()), policies.now())
        .withApprovals(PolicyRequests.approvals(request));
  }

  private static UnsignedEvent parseEvent(EnclaveRequest.SignEvent request) throws Refused {
    try {
      return UnsignedEvent.fromJson(request.event());
    } catch (IllegalArgumentException e) {
      throw new Refused(ErrorCode.INVALID_REQUEST, e.getMessage());
    }
  }

  EnclaveResponse message(EnclaveRequest.SignMessage request) throws Refused {
    KeyStore.Entry entry = keys.usable(request.keyId());
    DerivationPath path = KeyRequests.path(request.path());
    Message message = Message.of(Hex.decode("message", request.message()));
    if ("ecdsa".equals(request.scheme())) {
      policies.allow(entry.keyId(), facts(request));
      return ecdsa(request.jobId(), entry, path, BitcoinSignedMessage.digest(message));
    }
    if (message.length() == Digest32.LENGTH && !entry.config().allowDigests()) {
      throw new Refused(ErrorCode.POLICY_DENIED,
          "message: a 32-byte BIP-340 message cannot be told apart from a digest (a Nostr event id, a "
              + "taproot sighash), and key '" + entry.keyId() + "' does not allow digests; sign a "
              + "longer message, an event, or use a key made with allowDigests");
    }
    policies.allow(entry.keyId(), facts(request));
    return schnorr(request.jobId(), entry, path, message);
  }

  EnclaveResponse digest(EnclaveRequest.SignDigest request) throws Refused {
    KeyStore.Entry entry = keys.usable(request.keyId());
    if (!entry.config().allowDigests()) {
      throw new Refused(ErrorCode.POLICY_DENIED,
          "digest: key '" + entry.keyId() + "' does not allow bare digests (allowDigests is off); "
              + "sign a message or an event, which the enclave hashes itself");
    }
    DerivationPath path = KeyRequests.path(request.path());
    Digest32 digest = Digest32.claimed(Hex.decode("digest", request.digest()));
    policies.allow(entry.keyId(), facts(request));
    return "ecdsa".equals(request.scheme())
        ? ecdsa(request.jobId(), entry, path, digest)
        : schnorr(request.jobId(), entry, path, Message.of(digest));
  }

  /** NIP-01: check the event, serialise it canonically, id = SHA-256 of that, sign the id. */
  EnclaveResponse event(EnclaveRequest.SignEvent request) throws Refused {
    KeyStore.Entry entry = keys.usable(request.keyId());
    DerivationPath path = KeyRequests.path(request.path());
    UnsignedEvent event = parseEvent(request);
    try (KeyMaterial.Lease lease = lease(entry, path)) {
      XOnlyPublicKey own = lease.publicKey().xOnly();
      if (!own.equals(event.pubkey())) {
        throw new Refused(ErrorCode.INVALID_REQUEST,
            "event.pubkey: " + event.pubkey().toHex() + " is not the public key of key '" + entry.keyId() + "'"
                + (path == null ? "" : " at " + path) + " (" + own.toHex() + ")");
      }
      EventId id = EventId.of(event); // NIP-01: sha256 of the canonical serialisation
      policies.allow(entry.keyId(), facts(request, event, id));
      SchnorrSignature signature =
          signer.schnorr(Message.of(Digest32.computed(id.toBytes())), lease.key(), lease.publicKey());
      JsonNode signed = SignedEvent.of(event, signature).toJson();
      return new EnclaveResponse.EventSigned(request.jobId(), entry.keyId(), signed);
    }
  }

  private EnclaveResponse schnorr(String jobId, KeyStore.Entry entry, DerivationPath path, Message message)
      throws Refused {
    try (KeyMaterial.Lease lease = lease(entry, path)) {
      SchnorrSignature signature = signer.schnorr(message, lease.key(), lease.publicKey());
      return new EnclaveResponse.SchnorrSigned(jobId, entry.keyId(), pathString(path),
          lease.publicKey().xOnly().toHex(), signature.toHex());
    }
  }

  private EnclaveResponse ecdsa(String jobId, KeyStore.Entry entry, DerivationPath path, Digest32 digest)
      throws Refused {
    try (KeyMaterial.Lease lease = lease(entry, path)) {
      EcdsaSignature signature = signer.ecdsa(digest, lease.key(), lease.publicKey());
      return new EnclaveResponse.EcdsaSigned(jobId, entry.keyId(), pathString(path),
          lease.publicKey().toHex(), digest.toHex(), signature.compactHex(),
          signature.derHex(), signature.recoveryId());
    }
  }

  private static KeyMaterial.Lease lease(KeyStore.Entry entry, DerivationPath path) throws Refused {
    try {
      return entry.material().lease(path);
    } catch (IllegalArgumentException e) {
      throw new Refused(ErrorCode.INVALID_REQUEST, e.getMessage()); // a path on a single key
    }
  }

  private static String pathString(DerivationPath path) {
    return path == null ? null : path.toString();
  }
}
