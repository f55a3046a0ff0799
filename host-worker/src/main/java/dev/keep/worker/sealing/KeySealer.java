package dev.keep.worker.sealing;

import dev.keep.schema.attestation.AttestationException;
import dev.keep.schema.attestation.AttestationVerifier;
import dev.keep.schema.attestation.PcrPolicy;
import dev.keep.schema.attestation.TrustedRoot;
import dev.keep.schema.attestation.VerifiedAttestation;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.protocol.DataKeyEnvelope;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.ResponseFrame;
import dev.keep.schema.protocol.SealedBlob;
import dev.keep.worker.enclave.EnclaveClient;
import dev.keep.worker.enclave.EnclaveUnavailableException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.KeyEncryptionMechanism;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.RecipientInfo;

/**
 * The host's half of sealing (ARCHITECTURE.md, "Keys and sealing"). The host proxies KMS for the
 * enclave, which has no network: it asks the enclave for an attestation document carrying its
 * per-boot RSA key, calls {@code GenerateDataKey} or {@code Decrypt} with that document as {@code
 * Recipient}, and forwards {@code CiphertextForRecipient}, which only the enclave can open. It
 * stores the blobs the enclave seals in a {@link SealedKeyStore}. It never sees a data key or a
 * private key.
 *
 * <p>The KMS encryption context binds the key id and tenant ({@code keep:keyId}, {@code
 * keep:tenant}), so KMS itself refuses a data key asked for under another key's name.
 */
public final class KeySealer {
  private static final Logger LOG = LoggerFactory.getLogger(KeySealer.class);
  public static final String CONTEXT_KEY_ID = "keep:keyId";
  public static final String CONTEXT_TENANT = "keep:tenant";

  /** A document is reused for this long; AWS KMS refuses documents older than five minutes. */
  static final Duration DOCUMENT_REUSE = Duration.ofMinutes(4);

  /** Keys unsealed at once at start: KMS calls overlap, the enclave opens them concurrently. */
  public static final int UNSEAL_PARALLELISM = 8;

  private final EnclaveClient enclave;
  private final KmsClient kms;
  private final String kmsKeyId;
  private final SealedKeyStore store;
  private final TrustedRoot root;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final AtomicLong kmsCalls = new AtomicLong();
  private volatile Attested attested;

  private record Attested(EnclaveResponse.Attestation attestation, SdkBytes document, Instant at) {}

  /** What a start did: keys unsealed, those that failed and why, and the KMS calls it took. */
  public record UnsealReport(int unsealed, List<Failure> failures, long kmsCalls, Duration took,
      java.util.Set<String> opened) {
    public boolean complete() {
      return failures.isEmpty();
    }
  }

  public record Failure(String keyId, String reason) {}

  /**
   * @param kmsKeyId the KMS key (id, ARN or alias) that makes data keys
   * @param root the root the enclave's documents chain to (the AWS Nitro root, or local mode's),
   *     used only to report which PCRs the enclave presented when KMS refuses
   */
  public KeySealer(EnclaveClient enclave, KmsClient kms, String kmsKeyId, SealedKeyStore store, TrustedRoot root,
      Clock clock) {
    this.enclave = enclave;
    this.kms = kms;
    this.kmsKeyId = kmsKeyId;
    this.store = store;
    this.root = root;
    this.clock = clock;
  }

  public SealedKeyStore store() {
    return store;
  }

  /** KMS calls made so far. */
  public long kmsCalls() {
    return kmsCalls.get();
  }

  /**
   * Makes a key in the enclave, sealed under a fresh data key, and stores it before returning: a
   * key reported as made survives a restart. The enclave's refusal comes back as its response.
   */
  public EnclaveResponse generate(EnclaveRequest.GenerateKey request, String tenant) throws SealingFailure {
    return create(request.keyId(), tenant, request.sealedWith(tenant, dataKey(request.keyId(), tenant)));
  }

  /** Imports a key into the enclave, sealed like a generated one. */
  public EnclaveResponse importKey(EnclaveRequest.ImportKey request, String tenant) throws SealingFailure {
    return create(request.keyId(), tenant, request.sealedWith(tenant, dataKey(request.keyId(), tenant)));
  }

  private EnclaveResponse create(String keyId, String tenant, EnclaveRequest sealedRequest) throws SealingFailure {
    ResponseFrame frame = exchange(sealedRequest);
    if (frame.body() instanceof EnclaveResponse.KeyInfo info) {
      SealedBlob key = frame.sealed().stream().filter(b -> b.kind().equals(SealedBlob.KEY)).findFirst()
          .orElseThrow(() -> new SealingFailure("the enclave made '" + keyId + "' but sealed nothing", null));
      try {
        store.createKey(key, info.xOnly());
        for (SealedBlob b : frame.sealed()) {
          if (b.kind().equals(SealedBlob.STATE)) {
            store.putState(b);
          }
        }
      } catch (SealedStoreException e) {
        throw new SealingFailure("'" + keyId + "' was made in the enclave but not stored (" + e.getMessage()
            + "); it will not survive a restart", e);
      }
      LOG.info("key {} (tenant {}) sealed and stored in {}", keyId, tenant, store.describe());
    }
    return frame.body();
  }

  /**
   * Sends any request and stores what it sealed before returning the answer. A request about one
   * key's policy (a policy change, a dry run, showing it) is decided on the key's stored state,
   * which the enclave adopts, and a new state is stored only if the stored one is still that one;
   * when another host stored first, the request is decided again on the newer state.
   */
  public EnclaveResponse call(EnclaveRequest request) throws SealingFailure {
    String keyId = switch (request) {
      case EnclaveRequest.SetPolicy p -> p.keyId();
      case EnclaveRequest.GetPolicy p -> p.keyId();
      case EnclaveRequest.EvaluatePolicy e -> e.request().keyId();
      default -> null;
    };
    if (keyId == null) {
      ResponseFrame frame = exchange(request);
      persist(frame.sealed());
      return frame.body();
    }
    for (int attempt = 1; ; attempt++) {
      SealedBlob base;
      try {
        base = store.state(keyId).orElse(null);
      } catch (SealedStoreException e) {
        throw new SealingFailure(e.getMessage(), e);
      }
      ResponseFrame frame;
      try {
        frame = enclave.exchange(request, base);
      } catch (EnclaveUnavailableException e) {
        throw new SealingFailure("enclave unavailable: " + e.getMessage(), e);
      }
      SealedBlob next = frame.sealed().stream().filter(b -> b.kind().equals(SealedBlob.STATE)).reduce((a, b) -> b)
          .orElse(null);
      try {
        if (next == null || store.replaceState(next, base)) {
          return frame.body();
        }
      } catch (SealedStoreException e) {
        throw new SealingFailure("storing the policy state: " + e.getMessage(), e);
      }
      if (attempt >= 10) {
        throw new SealingFailure("the state of '" + keyId + "' changed on every one of 10 attempts; try again", null);
      }
    }
  }

  /** Stores blobs that came in a response frame. */
  public void persist(List<SealedBlob> blobs) throws SealingFailure {
    if (blobs.isEmpty()) {
      return;
    }
    try {
      store.persist(blobs);
    } catch (SealedStoreException e) {
      throw new SealingFailure("storing sealed blobs: " + e.getMessage(), e);
    }
  }

  /**
   * Unseals every stored key into the enclave: one KMS Decrypt per key (KMS has no batch Decrypt;
   * a key's state shares its data key), {@link #UNSEAL_PARALLELISM} at a time. A key that fails is
   * reported and left as it is stored; nothing stored is changed or deleted.
   */
  public UnsealReport unsealAll() throws SealingFailure {
    Instant start = clock.instant();
    long callsBefore = kmsCalls.get();
    List<SealedKeyStore.Stored> stored;
    try {
      stored = store.all();
    } catch (SealedStoreException e) {
      throw new SealingFailure("reading sealed keys: " + e.getMessage(), e);
    }
    List<Failure> failures = Collections.synchronizedList(new ArrayList<>());
    java.util.Set<String> opened = java.util.concurrent.ConcurrentHashMap.newKeySet();
    int unsealed = 0;
    if (!stored.isEmpty()) {
      Attested attestation = attested();
      try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(UNSEAL_PARALLELISM, stored.size()))) {
        List<Future<Boolean>> results = new ArrayList<>();
        for (SealedKeyStore.Stored s : stored) {
          results.add(pool.submit(() -> {
            boolean ok = unsealOne(s, attestation, failures);
            if (ok) {
              opened.add(s.keyId());
            }
            return ok;
          }));
        }
        for (Future<Boolean> f : results) {
          try {
            unsealed += f.get() ? 1 : 0;
          } catch (ExecutionException e) {
            throw new SealingFailure("unsealing: " + e.getCause(), e.getCause());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SealingFailure("interrupted while unsealing", e);
          }
        }
      }
    }
    List<Failure> sorted = failures.stream().sorted(java.util.Comparator.comparing(Failure::keyId)).toList();
    UnsealReport report = new UnsealReport(unsealed, sorted, kmsCalls.get() - callsBefore,
        Duration.between(start, clock.instant()), java.util.Set.copyOf(opened));
    if (report.complete()) {
      LOG.info("unsealed {} keys from {} in {} ms ({} KMS calls)", unsealed, store.describe(),
          report.took().toMillis(), report.kmsCalls());
    } else {
      LOG.error("unsealed {} of {} keys; {} failed, first: {}: {}", unsealed, stored.size(), sorted.size(),
          sorted.get(0).keyId(), sorted.get(0).reason());
    }
    return report;
  }

  private boolean unsealOne(SealedKeyStore.Stored s, Attested attestation, List<Failure> failures) {
    // The key id it is filed under, never the blob's own claim: the encryption context and the
    // enclave's GCM check then both refuse a blob moved to another key's row.
    String keyId = s.keyId();
    SealedBlob key = s.key();
    String ciphertextForRecipient;
    try {
      kmsCalls.incrementAndGet();
      var response = kms.decrypt(b -> b.keyId(key.kmsKeyId())
          .ciphertextBlob(SdkBytes.fromByteArray(key.dataKeyBytes()))
          .encryptionContext(context(keyId, key.tenant()))
          .recipient(recipient(attestation)));
      ciphertextForRecipient = Base64.getEncoder().encodeToString(response.ciphertextForRecipient().asByteArray());
    } catch (SdkException e) {
      failures.add(new Failure(keyId, kmsRefusal("Decrypt", e, attestation)));
      return false;
    }
    try {
      EnclaveResponse answer = enclave.call(new EnclaveRequest.UnsealKey(keyId, key, s.state(), ciphertextForRecipient));
      if (answer instanceof EnclaveResponse.KeyInfo) {
        return true;
      }
      failures.add(new Failure(keyId, "the enclave refused: " + answer));
    } catch (EnclaveUnavailableException e) {
      failures.add(new Failure(keyId, "enclave unavailable: " + e.getMessage()));
    }
    return false;
  }

  private DataKeyEnvelope dataKey(String keyId, String tenant) throws SealingFailure {
    Attested attestation = attested();
    try {
      kmsCalls.incrementAndGet();
      var response = kms.generateDataKey(b -> b.keyId(kmsKeyId)
          .keySpec(DataKeySpec.AES_256)
          .encryptionContext(context(keyId, tenant))
          .recipient(recipient(attestation)));
      Base64.Encoder b64 = Base64.getEncoder();
      return new DataKeyEnvelope(response.keyId(), b64.encodeToString(response.ciphertextBlob().asByteArray()),
          b64.encodeToString(response.ciphertextForRecipient().asByteArray()));
    } catch (SdkException e) {
      throw new SealingFailure(kmsRefusal("GenerateDataKey", e, attestation), e);
    }
  }

  /** A fresh attestation document (a new nonce), or the last one while it is recent. */
  private Attested attested() throws SealingFailure {
    Attested current = attested;
    if (current != null && current.at().plus(DOCUMENT_REUSE).isAfter(clock.instant())) {
      return current;
    }
    synchronized (this) {
      current = attested;
      if (current != null && current.at().plus(DOCUMENT_REUSE).isAfter(clock.instant())) {
        return current;
      }
      byte[] nonce = new byte[32];
      random.nextBytes(nonce);
      try {
        EnclaveResponse answer = enclave.call(new EnclaveRequest.Attest(Hex.encode(nonce)));
        if (!(answer instanceof EnclaveResponse.Attestation a)) {
          throw new SealingFailure("the enclave did not attest: " + answer, null);
        }
        current = new Attested(a, SdkBytes.fromByteArray(Base64.getDecoder().decode(a.document())), clock.instant());
      } catch (EnclaveUnavailableException e) {
        throw new SealingFailure("enclave unavailable: " + e.getMessage(), e);
      }
      attested = current;
      return current;
    }
  }

  private Instant lastRecovery = Instant.EPOCH;
  private java.util.Set<String> held = java.util.Set.of();

  /**
   * The enclave answered that it holds no {@code keyId}: if it restarted, unseal every key into it
   * again. One recovery at a time; callers that waited behind it reuse its result. True when the
   * enclave now holds {@code keyId}.
   */
  public synchronized boolean recover(String keyId) {
    if (held.contains(keyId) && lastRecovery.plusSeconds(5).isAfter(clock.instant())) {
      return true;
    }
    enclaveRestarted();
    try {
      held = unsealAll().opened();
      lastRecovery = clock.instant();
    } catch (SealingFailure e) {
      LOG.error("unsealing after a lost key failed: {}", e.getMessage());
      return false;
    }
    return held.contains(keyId);
  }

  /** Forgets the cached document: the enclave restarted, and its RSA key with it. */
  public void enclaveRestarted() {
    attested = null;
  }

  private ResponseFrame exchange(EnclaveRequest request) throws SealingFailure {
    try {
      return enclave.exchange(request);
    } catch (EnclaveUnavailableException e) {
      throw new SealingFailure("enclave unavailable: " + e.getMessage(), e);
    }
  }

  private static RecipientInfo recipient(Attested attestation) {
    return RecipientInfo.builder()
        .attestationDocument(attestation.document())
        .keyEncryptionAlgorithm(KeyEncryptionMechanism.RSAES_OAEP_SHA_256)
        .build();
  }

  static Map<String, String> context(String keyId, String tenant) {
    return tenant.isEmpty() ? Map.of(CONTEXT_KEY_ID, keyId) : Map.of(CONTEXT_KEY_ID, keyId, CONTEXT_TENANT, tenant);
  }

  /** KMS's refusal, with the PCRs this enclave presented when KMS says access is denied. */
  private String kmsRefusal(String operation, SdkException e, Attested attestation) {
    String code = e instanceof KmsException k && k.awsErrorDetails() != null
        ? k.awsErrorDetails().errorCode() : e.getClass().getSimpleName();
    String message = e instanceof KmsException k && k.awsErrorDetails() != null
        ? k.awsErrorDetails().errorMessage() : e.getMessage();
    // KMS sends InvalidCiphertextException without a message: the code says it all.
    return "KMS refused " + operation + ": " + code + (message == null || message.isBlank() ? "" : ": " + message)
        + "; this enclave presented " + presentedPcrs(attestation);
  }

  /** PCR0, 1 and 2 of the document the host sent, read with the configured root. */
  String presentedPcrs(Attested attestation) {
    try {
      VerifiedAttestation v = AttestationVerifier.builder().trustedRoot(root).pcrs(PcrPolicy.insecureNoCheck())
          .allowDebug(true).build().verify(attestation.document().asByteArray(), clock.instant());
      StringBuilder out = new StringBuilder();
      for (int i = 0; i <= 2; i++) {
        out.append(i == 0 ? "" : ", ").append("PCR").append(i).append('=')
            .append(v.pcrs().get(i).map(p -> p.hex()).orElse("(none)"));
      }
      return out.toString();
    } catch (AttestationException e) {
      return "a document that does not verify against " + root + " (" + e.getMessage() + ")";
    }
  }
}
