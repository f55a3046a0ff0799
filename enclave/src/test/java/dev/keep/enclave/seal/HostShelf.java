package dev.keep.enclave.seal;

import dev.keep.enclave.server.EnclaveService;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.RequestFrame;
import dev.keep.schema.protocol.ResponseFrame;
import dev.keep.schema.protocol.SealedBlob;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The host's part in the enclave's unit tests: it sends requests as frames, keeps the newest
 * sealed key and state of each key id from the response frames, and unseals them all into a new
 * enclave, as a worker does at start.
 */
public final class HostShelf {
  public final KmsStandIn kms = new KmsStandIn();
  public final Map<String, SealedBlob> keys = new LinkedHashMap<>();
  public final Map<String, SealedBlob> states = new LinkedHashMap<>();

  public EnclaveResponse call(EnclaveService enclave, EnclaveRequest request) {
    ResponseFrame frame = enclave.handle(RequestFrame.of("r", request));
    for (SealedBlob blob : frame.sealed()) {
      if (blob.kind().equals(SealedBlob.KEY)) {
        keys.put(blob.keyId(), blob);
      } else if (!states.containsKey(blob.keyId()) || states.get(blob.keyId()).sequence() < blob.sequence()) {
        states.put(blob.keyId(), blob);
      }
    }
    return frame.body();
  }

  /** generate_key, sealed with a fresh data key for {@code recipient}. */
  public EnclaveResponse generate(EnclaveService enclave, RecipientKey recipient, EnclaveRequest.GenerateKey request)
      throws Exception {
    return call(enclave, request.sealedWith("tenant-a", kms.generateDataKey(recipient.publicKeyDer())));
  }

  public void unsealAll(EnclaveService enclave, RecipientKey recipient) throws Exception {
    for (var e : keys.entrySet()) {
      EnclaveResponse r = enclave.handle(kms.unsealRequest(e.getKey(), e.getValue(), states.get(e.getKey()), recipient));
      if (!(r instanceof EnclaveResponse.KeyInfo)) {
        throw new AssertionError("unseal " + e.getKey() + ": " + r);
      }
    }
  }
}
