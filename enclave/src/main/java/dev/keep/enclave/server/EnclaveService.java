package dev.keep.enclave.server;

import dev.keep.enclave.jobs.RecentJobs;
import dev.keep.enclave.keys.KeyStore;
import dev.keep.enclave.keys.SecretKey;
import dev.keep.enclave.signing.Signer;
import dev.keep.enclave.signing.Digest32;
import dev.keep.enclave.signing.SchnorrSignature;
import dev.keep.enclave.signing.TaggedHash;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers enclave requests. Every request gets a typed response; an unexpected failure becomes
 * {@link ErrorCode#INTERNAL} with a message that carries no key material.
 */
public final class EnclaveService {
  private static final Logger LOG = LoggerFactory.getLogger(EnclaveService.class);

  /** Enough to cover every job the queue can redeliver within its retention window locally. */
  public static final int RECENT_JOBS = 200_000;

  private final KeyStore keys;
  private final Signer signer;
  private final String mode;
  private final RecentJobs<EnclaveResponse> recentJobs = new RecentJobs<>(RECENT_JOBS);

  public EnclaveService(KeyStore keys, Signer signer, String mode) {
    this.keys = keys;
    this.signer = signer;
    this.mode = mode;
  }

  public EnclaveResponse handle(EnclaveRequest request) {
    try {
      return switch (request) {
        case EnclaveRequest.Health h -> new EnclaveResponse.HealthStatus("ok", mode, keys.size());
        case EnclaveRequest.GenerateKey g -> generate(g);
        case EnclaveRequest.GetPublicKey p ->
            keys.find(p.keyId())
                .<EnclaveResponse>map(e -> new EnclaveResponse.KeyInfo(e.keyId(), e.publicKey().toHex()))
                .orElseGet(() -> keyNotFound(p.keyId()));
        case EnclaveRequest.ListKeys l ->
            new EnclaveResponse.KeyList(
                keys.list().stream()
                    .map(e -> new EnclaveResponse.KeyInfo(e.keyId(), e.publicKey().toHex()))
                    .toList());
        case EnclaveRequest.SignMessage s -> signMessage(s);
      };
    } catch (RuntimeException e) {
      // Log the type only: a message could in principle quote request data.
      LOG.error("request {} failed with {}", request.getClass().getSimpleName(), e.getClass().getName());
      return new EnclaveResponse.Error(ErrorCode.INTERNAL, "internal error; the request may be retried");
    }
  }

  private EnclaveResponse generate(EnclaveRequest.GenerateKey request) {
    try {
      KeyStore.Entry entry =
          keys.add(
              request.keyId(),
              () -> {
                SecretKey secret = signer.generate();
                return new KeyStore.Entry(request.keyId(), secret, signer.publicKey(secret).xOnly());
              });
      LOG.info("generated key {} ({})", entry.keyId(), entry.publicKey());
      return new EnclaveResponse.KeyInfo(entry.keyId(), entry.publicKey().toHex());
    } catch (KeyStore.KeyExistsException e) {
      return new EnclaveResponse.Error(ErrorCode.INVALID_REQUEST, e.getMessage());
    }
  }

  private EnclaveResponse signMessage(EnclaveRequest.SignMessage request) {
    var entry = keys.find(request.keyId());
    if (entry.isEmpty()) {
      return keyNotFound(request.keyId());
    }
    // Hex is case-insensitive, so the message is normalised; key ids are case-sensitive names.
    byte[] fingerprint =
        fingerprint("sign_message", request.keyId(), request.message().toLowerCase(java.util.Locale.ROOT));
    try {
      return recentJobs.resultFor(
          request.jobId(),
          fingerprint,
          () -> {
            Digest32 digest = dev.keep.enclave.signing.TaggedHash.of("KEEP/message", Hex.decode("message", request.message()));
            SchnorrSignature signature = signer.schnorr(dev.keep.enclave.signing.Message.of(digest), entry.get().secret());
            return new EnclaveResponse.MessageSigned(
                request.jobId(),
                request.keyId(),
                digest.toHex(),
                signature.toHex(),
                entry.get().publicKey().toHex());
          },
          r -> r instanceof EnclaveResponse.MessageSigned);
    } catch (RecentJobs.ConflictingJobException e) {
      return new EnclaveResponse.Error(ErrorCode.INVALID_REQUEST, e.getMessage());
    }
  }

  private static EnclaveResponse keyNotFound(String keyId) {
    return new EnclaveResponse.Error(
        ErrorCode.KEY_NOT_FOUND, "keyId: this enclave holds no key named '" + keyId + "'");
  }

  /** SHA-256 over length-prefixed parts, so the request's fields cannot run into each other. */
  private static byte[] fingerprint(String... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : parts) {
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        sha.update(java.nio.ByteBuffer.allocate(4).putInt(bytes.length).array());
        sha.update(bytes);
      }
      return sha.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
