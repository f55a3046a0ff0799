package dev.keep.schema.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.schema.encoding.Hex;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A request from the host to the enclave. Each type is tagged on the wire by the explicit name in
 * {@link JsonSubTypes}, never by declaration order, so adding a type never renumbers another.
 *
 * <p>Signing requests say what they sign ({@code sign_message}, {@code sign_event}, {@code
 * sign_digest}, {@code sign_psbt}): the enclave hashes messages and events and computes PSBT
 * sighashes itself, and signs a bare digest only for a key whose {@link KeySpec#allowDigests()}
 * is on.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = EnclaveRequest.Health.class, name = "health"),
  @JsonSubTypes.Type(value = EnclaveRequest.GenerateKey.class, name = "generate_key"),
  @JsonSubTypes.Type(value = EnclaveRequest.ImportKey.class, name = "import_key"),
  @JsonSubTypes.Type(value = EnclaveRequest.GetPublicKey.class, name = "public_key"),
  @JsonSubTypes.Type(value = EnclaveRequest.ListKeys.class, name = "list_keys"),
  @JsonSubTypes.Type(value = EnclaveRequest.DisableKey.class, name = "disable_key"),
  @JsonSubTypes.Type(value = EnclaveRequest.SignMessage.class, name = "sign_message"),
  @JsonSubTypes.Type(value = EnclaveRequest.SignEvent.class, name = "sign_event"),
  @JsonSubTypes.Type(value = EnclaveRequest.SignDigest.class, name = "sign_digest"),
  @JsonSubTypes.Type(value = EnclaveRequest.SignPsbt.class, name = "sign_psbt"),
  @JsonSubTypes.Type(value = EnclaveRequest.SetPolicy.class, name = "set_policy"),
  @JsonSubTypes.Type(value = EnclaveRequest.GetPolicy.class, name = "get_policy"),
  @JsonSubTypes.Type(value = EnclaveRequest.EvaluatePolicy.class, name = "evaluate_policy"),
  @JsonSubTypes.Type(value = EnclaveRequest.Attest.class, name = "attest"),
  @JsonSubTypes.Type(value = EnclaveRequest.UnsealKey.class, name = "unseal_key"),
  @JsonSubTypes.Type(value = EnclaveRequest.AuditBoot.class, name = "audit_boot"),
  @JsonSubTypes.Type(value = EnclaveRequest.AuditCheckpoints.class, name = "audit_checkpoints"),
  @JsonSubTypes.Type(value = EnclaveRequest.AuditReceipts.class, name = "audit_receipts"),
})
public sealed interface EnclaveRequest {

  /** Key ids are short printable names; the same rule as the public API's {@code keyId}. */
  Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** Job ids are assigned by the API; the enclave uses them to answer a repeated job alike. */
  Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** BIP-32 paths as written by people: m, then up to 255 indexes, ' or h for hardened. */
  Pattern PATH = Pattern.compile("m(/[0-9]{1,10}['h]?){0,255}");

  /**
   * Largest PSBT the enclave takes, in base64 characters: the 4 MiB frame less room for the rest of
   * the request (up to 256 approvals), so that a request within this limit always fits its frame.
   * The answer has its own bound, checked before signing (a {@code RESULT_TOO_LARGE} refusal).
   */
  int MAX_PSBT_BASE64_CHARS = FrameCodec.DEFAULT_MAX_FRAME_BYTES - 128 * 1024;

  /** Base64 as RFC 4648 §4 writes it, padded; the PSBT format's text form (BIP-174). */
  Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]*={0,2}");

  /** Largest message the enclave signs, in bytes. */
  int MAX_MESSAGE_BYTES = 65_536;

  static String requireKeyId(String keyId) {
    if (keyId == null || !KEY_ID.matcher(keyId).matches()) {
      throw new IllegalArgumentException("keyId: must match " + KEY_ID.pattern());
    }
    return keyId;
  }

  static String requireJobId(String jobId) {
    if (jobId == null || !JOB_ID.matcher(jobId).matches()) {
      throw new IllegalArgumentException("jobId: must match " + JOB_ID.pattern());
    }
    return jobId;
  }

  /** A path, or null for the key itself (the root of an HD key). */
  static String optionalPath(String path) {
    if (path != null && !PATH.matcher(path).matches()) {
      throw new IllegalArgumentException("path: must look like m/84'/1'/0'/0/7 (got '" + path + "')");
    }
    return path;
  }

  /** A policy document is JSON text of at most {@link #MAX_POLICY_CHARS} characters, or null. */
  int MAX_POLICY_CHARS = 64 * 1024;

  /**
   * A policy travels as the operator's own text, not as a parsed tree: a tree would already have
   * dropped a duplicated key, and the enclave must see (and refuse) exactly what the admins read.
   * The enclave parses it; here only its size is checked. Null for no policy.
   */
  static String requirePolicyText(String policy) {
    if (policy != null && (policy.isBlank() || policy.length() > MAX_POLICY_CHARS)) {
      throw new IllegalArgumentException(
          "policy: must be the text of a JSON object, 1 to " + MAX_POLICY_CHARS + " characters");
    }
    return policy;
  }

  /** Approvals attached to a job or a policy update: at most this many. */
  int MAX_APPROVALS = 256;

  /**
   * A BIP-340 signature by a named approver (or policy admin) over the digest the enclave
   * computes for the job or update; the policy names the approver's public key.
   */
  record Approval(String approver, String signature) {
    public Approval {
      if (approver == null || !KEY_ID.matcher(approver).matches()) {
        throw new IllegalArgumentException("approvals.approver: must match " + KEY_ID.pattern());
      }
      if (!Hex.isHex(signature, 64)) {
        throw new IllegalArgumentException("approvals.signature: must be a 64-byte BIP-340 signature, hex");
      }
      signature = signature.toLowerCase(Locale.ROOT);
    }
  }

  static List<Approval> optionalApprovals(List<Approval> approvals) {
    if (approvals == null) {
      return null;
    }
    if (approvals.size() > MAX_APPROVALS) {
      throw new IllegalArgumentException("approvals: at most " + MAX_APPROVALS);
    }
    return List.copyOf(approvals);
  }

  static String requireScheme(String scheme) {
    if (!"bip340".equals(scheme) && !"ecdsa".equals(scheme)) {
      throw new IllegalArgumentException("scheme: must be bip340 or ecdsa");
    }
    return scheme;
  }

  /** Liveness and a count of keys held. */
  record Health() implements EnclaveRequest {}

  /**
   * How a key is made and what it may sign. {@code type} is {@code single} (one secp256k1 key) or
   * {@code hd} (a BIP-32 root). {@code network} is fixed for the key's life. {@code allowDigests}
   * is off unless asked for: a bare 32-byte digest could be any protocol's hash.
   */
  record KeySpec(String type, String network, boolean allowDigests) {
    public static final KeySpec DEFAULT = new KeySpec("single", "mainnet", false);

    public KeySpec {
      if (!"single".equals(type) && !"hd".equals(type)) {
        throw new IllegalArgumentException("spec.type: must be single or hd");
      }
      if (network == null
          || !java.util.Set.of("mainnet", "testnet", "signet", "regtest").contains(network)) {
        throw new IllegalArgumentException("spec.network: must be mainnet, testnet, signet or regtest");
      }
    }
  }

  /**
   * Generate a fresh key inside the enclave under {@code keyId}; a taken name is an error. {@code
   * policy} (a policy document, or null) is what the key may sign: without one it signs nothing.
   * With {@code dataKey} the enclave seals the new key (and its policy) for {@code tenant} and
   * returns the sealed blobs in the response frame, for the host to store before it reports the key
   * as made. Without one the key lives in enclave memory only, which only local mode allows.
   */
  record GenerateKey(String keyId, KeySpec spec, String policy, String tenant, DataKeyEnvelope dataKey)
      implements EnclaveRequest {
    public GenerateKey {
      requireKeyId(keyId);
      Objects.requireNonNull(spec, "spec");
      policy = requirePolicyText(policy);
      tenant = SealedBlob.requireTenant(tenant == null ? "" : tenant);
    }

    /** A key that is not sealed: local mode only, and lost when the enclave stops. */
    public GenerateKey(String keyId, KeySpec spec, String policy) {
      this(keyId, spec, policy, "", null);
    }

    public GenerateKey(String keyId, KeySpec spec) {
      this(keyId, spec, null);
    }

    /** This request, sealed with {@code key} for {@code owner}. */
    public GenerateKey sealedWith(String owner, DataKeyEnvelope key) {
      return new GenerateKey(keyId, spec, policy, owner, key);
    }
  }

  /**
   * Import key material (64 hex digits, an nsec, or an xprv/tprv for an HD root), given either as
   * {@code secret} in the clear, which only a local-mode enclave accepts, or as {@code
   * sealedSecret}: a CMS EnvelopedData (base64) encrypted to the RSA public key of this enclave's
   * attestation document, which a Nitro enclave accepts too. Exactly one of the two.
   */
  record ImportKey(String keyId, KeySpec spec, String secret, String sealedSecret, String policy,
      String tenant, DataKeyEnvelope dataKey) implements EnclaveRequest {
    public ImportKey {
      requireKeyId(keyId);
      Objects.requireNonNull(spec, "spec");
      if ((secret == null) == (sealedSecret == null)) {
        throw new IllegalArgumentException("secret: give exactly one of secret and sealedSecret");
      }
      if (secret != null && (secret.isEmpty() || secret.length() > 200)) {
        throw new IllegalArgumentException("secret: must be 64 hex digits, an nsec1… or an xprv/tprv");
      }
      if (sealedSecret != null) {
        SealedBlob.requireBase64("sealedSecret", sealedSecret, 1, 16384);
      }
      policy = requirePolicyText(policy);
      tenant = SealedBlob.requireTenant(tenant == null ? "" : tenant);
    }

    public ImportKey(String keyId, KeySpec spec, String secret, String policy) {
      this(keyId, spec, secret, null, policy, "", null);
    }

    public ImportKey(String keyId, KeySpec spec, String secret) {
      this(keyId, spec, secret, null);
    }

    /** This request, sealed with {@code key} for {@code owner}. */
    public ImportKey sealedWith(String owner, DataKeyEnvelope key) {
      return new ImportKey(keyId, spec, secret, sealedSecret, policy, owner, key);
    }

    @Override
    public String toString() {
      return "ImportKey[keyId=" + keyId + ", spec=" + spec + ", secret=<redacted>, policy=" + (policy == null ? "none" : policy.length() + " characters")
          + ", tenant=" + tenant + "]";
    }
  }

  /**
   * An attestation document from the NSM, carrying {@code nonce} (hex, up to 512 bytes, or null),
   * the enclave's per-boot RSA public key and, as user data, the hash of its active policies.
   */
  record Attest(String nonce) implements EnclaveRequest {
    /** NSM API: nonce is at most 512 bytes. */
    public static final int MAX_NONCE_BYTES = 512;

    public Attest {
      if (nonce != null) {
        if (!Hex.isHex(nonce) || nonce.isEmpty() || nonce.length() > 2 * MAX_NONCE_BYTES) {
          throw new IllegalArgumentException("nonce: must be 1.." + MAX_NONCE_BYTES + " bytes, hex");
        }
        nonce = nonce.toLowerCase(Locale.ROOT);
      }
    }
  }

  /**
   * This boot's attestation document: the one made at start, whose {@code user_data} commits to the
   * audit key, and whose SHA-256 is the {@code bootId} of every receipt this boot signs (issue 19).
   * The answer is an {@link EnclaveResponse.Attestation} with no nonce and no policies.
   */
  record AuditBoot() implements EnclaveRequest {}

  /**
   * The checkpoints now due: for each tenant's chain, one when {@code every} receipts were issued
   * since its last, or a set time passed with any; with {@code all}, one for every chain with a
   * receipt since its last (a worker stopping). The answer is {@link EnclaveResponse.Checkpoints}.
   */
  record AuditCheckpoints(boolean all) implements EnclaveRequest {}

  /**
   * The receipts {@code fromSeq..toSeq} of {@code tenant}'s chain in this boot, those the enclave
   * still holds ({@link #MAX_RECEIPTS} at most): how a worker fills a gap a crash left between the
   * enclave's answer and its write. The answer is {@link EnclaveResponse.Receipts}.
   */
  record AuditReceipts(String tenant, long fromSeq, long toSeq) implements EnclaveRequest {
    public static final int MAX_RECEIPTS = 1_000;

    public AuditReceipts {
      Objects.requireNonNull(tenant, "tenant");
      if (fromSeq < 1 || toSeq < fromSeq || toSeq - fromSeq >= MAX_RECEIPTS) {
        throw new IllegalArgumentException("fromSeq, toSeq: 1 <= fromSeq <= toSeq < fromSeq + " + MAX_RECEIPTS);
      }
    }
  }

  /**
   * Load a sealed key (and its policy state, if it has one) into the enclave. {@code
   * ciphertextForRecipient} is KMS's answer to {@code Decrypt} of the key's {@code dataKey} with
   * this enclave's attestation as {@code Recipient}. {@code keyId} is the key the host files the
   * blob under; the blob must say the same, inside its sealed part.
   */
  record UnsealKey(String keyId, SealedBlob key, SealedBlob state, String ciphertextForRecipient)
      implements EnclaveRequest {
    public UnsealKey {
      requireKeyId(keyId);
      Objects.requireNonNull(key, "key");
      if (!SealedBlob.KEY.equals(key.kind())) {
        throw new IllegalArgumentException("key.kind: must be key");
      }
      if (state != null && !SealedBlob.STATE.equals(state.kind())) {
        throw new IllegalArgumentException("state.kind: must be state");
      }
      SealedBlob.requireBase64("ciphertextForRecipient", ciphertextForRecipient, 1, 16384);
    }
  }

  /** The public forms of one key, or of the child at {@code path} of an HD key. */
  record GetPublicKey(String keyId, String path) implements EnclaveRequest {
    public GetPublicKey {
      requireKeyId(keyId);
      optionalPath(path);
    }
  }

  /** Every key the enclave holds, with its public forms. */
  record ListKeys() implements EnclaveRequest {}

  /** Stop a key from signing. Disabling is permanent: there is no enable. */
  record DisableKey(String keyId) implements EnclaveRequest {
    public DisableKey {
      requireKeyId(keyId);
    }
  }

  /**
   * Sign {@code message} (hex, any length up to {@link #MAX_MESSAGE_BYTES}) for job {@code jobId}.
   * {@code bip340} signs the message bytes themselves (BIP-340 §Messages of Arbitrary Size);
   * {@code ecdsa} signs Bitcoin's signed-message hash of them.
   */
  record SignMessage(
      String jobId, String keyId, String message, String scheme, String path, List<Approval> approvals)
      implements SignRequest {
    public SignMessage(String jobId, String keyId, String message, String scheme, String path) {
      this(jobId, keyId, message, scheme, path, null);
    }

    public SignMessage {
      approvals = optionalApprovals(approvals);
      requireJobId(jobId);
      requireKeyId(keyId);
      Objects.requireNonNull(message, "message");
      if (!Hex.isHex(message)) {
        throw new IllegalArgumentException("message: must be an even number of hex digits");
      }
      if (message.length() / 2 > MAX_MESSAGE_BYTES) {
        throw new IllegalArgumentException(
            "message: at most " + MAX_MESSAGE_BYTES + " bytes, got " + message.length() / 2);
      }
      message = message.toLowerCase(Locale.ROOT);
      scheme = requireScheme(scheme == null ? "bip340" : scheme);
      optionalPath(path);
    }
  }

  /**
   * Sign a Nostr event (NIP-01). {@code event} is the unsigned event (pubkey, created_at, kind,
   * tags, content); the enclave checks it, serialises it canonically, computes its id and signs.
   */
  record SignEvent(String jobId, String keyId, JsonNode event, String path, List<Approval> approvals)
      implements SignRequest {
    public SignEvent(String jobId, String keyId, JsonNode event, String path) {
      this(jobId, keyId, event, path, null);
    }

    public SignEvent {
      approvals = optionalApprovals(approvals);
      requireJobId(jobId);
      requireKeyId(keyId);
      if (event == null || !event.isObject()) {
        throw new IllegalArgumentException("event: must be a JSON object");
      }
      optionalPath(path);
    }
  }

  /** Sign a bare 32-byte digest; refused unless the key allows digests. */
  record SignDigest(
      String jobId, String keyId, String digest, String scheme, String path, List<Approval> approvals)
      implements SignRequest {
    public SignDigest(String jobId, String keyId, String digest, String scheme, String path) {
      this(jobId, keyId, digest, scheme, path, null);
    }

    public SignDigest {
      approvals = optionalApprovals(approvals);
      requireJobId(jobId);
      requireKeyId(keyId);
      if (!Hex.isHex(digest, 32)) {
        throw new IllegalArgumentException("digest: must be 32 bytes of hex");
      }
      digest = digest.toLowerCase(Locale.ROOT);
      scheme = requireScheme(scheme == null ? "bip340" : scheme);
      optionalPath(path);
    }
  }

  /**
   * Sign the inputs of {@code psbt} (base64, BIP-174 v0 or BIP-370 v2) that belong to the key.
   * {@code network} must be the key's own network: the enclave renders addresses for the key's
   * network and refuses a request that names another, rather than relabelling them. With {@code
   * finalize}, inputs that are complete get their final scriptSig or witness, and the response
   * carries the extracted transaction when every input is final.
   */
  record SignPsbt(
      String jobId,
      String keyId,
      String psbt,
      String network,
      @JsonProperty("finalize") boolean finalizeInputs,
      List<Approval> approvals,
      Long maxAnswerBytes)
      implements SignRequest {
    public SignPsbt(String jobId, String keyId, String psbt, String network, boolean finalizeInputs) {
      this(jobId, keyId, psbt, network, finalizeInputs, null, null);
    }

    public SignPsbt(String jobId, String keyId, String psbt, String network, boolean finalizeInputs,
        List<Approval> approvals) {
      this(jobId, keyId, psbt, network, finalizeInputs, approvals, null);
    }

    /**
     * This request with an answer budget: the enclave refuses, before it signs or charges, a PSBT
     * whose signed answer could be larger ({@code RESULT_TOO_LARGE}). The worker sets it to what the
     * job's item has left for the result; without one the frame limit applies.
     */
    public SignPsbt withMaxAnswerBytes(long bytes) {
      return new SignPsbt(jobId, keyId, psbt, network, finalizeInputs, approvals, bytes);
    }

    public SignPsbt {
      if (maxAnswerBytes != null && maxAnswerBytes < 0) {
        throw new IllegalArgumentException("maxAnswerBytes: must not be negative");
      }
      approvals = optionalApprovals(approvals);
      requireJobId(jobId);
      requireKeyId(keyId);
      if (psbt == null || psbt.isEmpty()) {
        throw new IllegalArgumentException("psbt: required, base64");
      }
      if (psbt.length() > MAX_PSBT_BASE64_CHARS) {
        throw new IllegalArgumentException(
            "psbt: at most " + MAX_PSBT_BASE64_CHARS + " base64 characters, got " + psbt.length());
      }
      if (psbt.length() % 4 != 0 || !BASE64.matcher(psbt).matches()) {
        throw new IllegalArgumentException("psbt: must be padded base64 (RFC 4648 §4)");
      }
      if (network == null
          || !java.util.Set.of("mainnet", "testnet", "signet", "regtest").contains(network)) {
        throw new IllegalArgumentException("network: must be mainnet, testnet, signet or regtest");
      }
    }
  }

  /**
   * The requests that produce a signature. Each names its job and key, and may carry approvals
   * for a policy's approval rule; {@link EvaluatePolicy} takes one to decide without signing.
   */
  sealed interface SignRequest extends EnclaveRequest permits SignMessage, SignEvent, SignDigest, SignPsbt {
    String jobId();

    String keyId();

    List<Approval> approvals();
  }

  /**
   * Set {@code keyId}'s policy. A key without one may be given one by the host; a key that has one
   * takes a new version only with {@code approvals} from a quorum of the admins its current
   * policy names, each a BIP-340 signature over the update digest (see the enclave's README).
   */
  record SetPolicy(String keyId, String policy, List<Approval> approvals) implements EnclaveRequest {
    public SetPolicy {
      requireKeyId(keyId);
      policy = requirePolicyText(policy);
      Objects.requireNonNull(policy, "policy");
      approvals = optionalApprovals(approvals);
    }
  }

  /** The key's policy (version, hash, document) and its counters' current totals. */
  record GetPolicy(String keyId) implements EnclaveRequest {
    public GetPolicy {
      requireKeyId(keyId);
    }
  }

  /** Decide {@code request} under its key's policy without signing or charging: a dry run. */
  record EvaluatePolicy(SignRequest request) implements EnclaveRequest {
    public EvaluatePolicy {
      Objects.requireNonNull(request, "request");
    }
  }
}
