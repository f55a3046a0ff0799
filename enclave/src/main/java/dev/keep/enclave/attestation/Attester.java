package dev.keep.enclave.attestation;

import dev.keep.enclave.nsm.NsmClient;
import dev.keep.enclave.nsm.NsmException;
import dev.keep.enclave.seal.RecipientKey;
import dev.keep.schema.attestation.KeepUserData;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.protocol.EnclaveResponse;
import java.util.Base64;
import java.util.List;

/**
 * Asks the NSM (the real {@code /dev/nsm}, or local mode's {@link LocalNsm}) for attestation
 * documents that carry the per-boot {@link RecipientKey} as {@code public_key}, the caller's
 * nonce, and {@link KeepUserData} over the {@link AuditKey} and the active policies as {@code
 * user_data}.
 */
public final class Attester implements AutoCloseable {
  private final NsmClient nsm;
  private final RecipientKey recipient;
  private final AuditKey auditKey;
  private final String mode;

  public Attester(NsmClient nsm, RecipientKey recipient, AuditKey auditKey, String mode) {
    this.nsm = nsm;
    this.recipient = recipient;
    this.auditKey = auditKey;
    this.mode = mode;
  }

  public RecipientKey recipient() {
    return recipient;
  }

  /** The boot's audit key, which signs its receipts; it never leaves the enclave. */
  public AuditKey auditKey() {
    return auditKey;
  }

  public EnclaveResponse.Attestation attest(byte[] nonce, List<EnclaveResponse.PolicyRef> policies) throws NsmException {
    byte[] audit = auditKey.publicKey().toBytes();
    byte[] userData = KeepUserData.of(audit, policies);
    byte[] publicKey = recipient.publicKeyDer();
    byte[] document = nsm.attestation(userData, nonce, publicKey);
    Base64.Encoder b64 = Base64.getEncoder();
    return new EnclaveResponse.Attestation(mode, b64.encodeToString(document), b64.encodeToString(publicKey),
        Hex.encode(audit), Hex.encode(userData), policies);
  }

  /** Wipes the audit key's secret; the enclave is shutting down. */
  @Override
  public void close() {
    auditKey.close();
  }
}
