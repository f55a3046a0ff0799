package dev.keep.enclave.server;

import dev.keep.enclave.attestation.Attester;
import dev.keep.enclave.audit.JobAudit;
import dev.keep.enclave.audit.ReceiptIssuer;
import dev.keep.schema.audit.Hashes;
import dev.keep.enclave.nsm.NsmException;
import dev.keep.enclave.seal.KmsSealedVault;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.protocol.RequestFrame;
import dev.keep.schema.protocol.ResponseFrame;
import dev.keep.schema.protocol.SealedBlob;
import java.util.List;

import dev.keep.enclave.jobs.RecentJobs;
import dev.keep.enclave.keys.KeyStore;
import dev.keep.enclave.policy.KeyPolicies;
import dev.keep.enclave.policy.PolicyEngine;
import dev.keep.enclave.seal.VaultException;
import dev.keep.enclave.signing.Signer;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.ErrorCode;
import java.security.MessageDigest;
import java.time.Clock;
import java.security.NoSuchAlgorithmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers enclave requests. Every request gets a typed response; an unexpected failure becomes
 * {@link ErrorCode#INTERNAL} with a message that carries no key material. Signing requests go
 * through {@link RecentJobs}, so a redelivered job gets its first signature back.
 */
public final class EnclaveService {
  private static final Logger LOG = LoggerFactory.getLogger(EnclaveService.class);

  /** Enough to cover every job the queue can redeliver within its retention window locally. */
  public static final int RECENT_JOBS = 200_000;

  private final KeyStore keys;
  private final EnclaveMode mode;
  private final KeyRequests keyRequests;
  private final SignRequests signRequests;
  /**
   * Signed PSBTs are kept in a smaller window: one answer can be megabytes. A PSBT job
   * redelivered after it fell out is signed again, from the same PSBT, to the same effect.
   */
  public static final int RECENT_PSBT_JOBS = 256;

  private final PsbtRequests psbtRequests;
  private final RecentJobs<EnclaveResponse> recentJobs = new RecentJobs<>(RECENT_JOBS);
  private final RecentJobs<EnclaveResponse> recentPsbtJobs = new RecentJobs<>(RECENT_PSBT_JOBS);

  private final PolicyRequests policyRequests;
  private final Attester attester;
  /** This boot's audit (issue 19): its attestation document and its receipts; null without an NSM. */
  private final BootAudit audit;

  /** The boot's attestation document, made at start, and the receipts its audit key signs. */
  private record BootAudit(EnclaveResponse.Attestation document, JobAudit jobs) {}

  public EnclaveService(KeyStore keys, Signer signer, EnclaveMode mode) {
    this(keys, signer, mode, Clock.systemUTC());
  }

  /**
   * @param clock the enclave's time, for policy windows, hours and weekdays
   * @throws IllegalStateException when the stored policy states cannot be read back
   */
  public EnclaveService(KeyStore keys, Signer signer, EnclaveMode mode, Clock clock) {
    this(keys, signer, mode, clock, null);
  }

  /**
   * @param attester answers {@code attest}; null for an enclave without an NSM (some tests), which
   *     refuses it
   */
  public EnclaveService(KeyStore keys, Signer signer, EnclaveMode mode, Clock clock, Attester attester) {
    this(keys, signer, mode, clock, attester, ReceiptIssuer.Schedule.DEFAULT);
  }

  /** @param checkpoints when each tenant chain's audit checkpoint is due */
  public EnclaveService(KeyStore keys, Signer signer, EnclaveMode mode, Clock clock, Attester attester,
      ReceiptIssuer.Schedule checkpoints) {
    this.keys = keys;
    this.mode = mode;
    this.attester = attester;
    KeyPolicies book;
    try {
      book = KeyPolicies.load(keys.vault(), new PolicyEngine(signer.engine()),
          id -> keys.find(id).map(e -> e.config().network()));
    } catch (VaultException e) {
      throw new IllegalStateException("policy states: " + e.getMessage(), e);
    }
    this.policyRequests = new PolicyRequests(book, signer.engine(), clock);
    this.keyRequests = new KeyRequests(keys, signer, mode);
    this.keyRequests.usePolicies(policyRequests);
    this.signRequests = new SignRequests(keyRequests, signer, policyRequests);
    this.psbtRequests = new PsbtRequests(keyRequests, signer, policyRequests);
    this.audit = attester == null ? null : bootAudit(attester, signer, clock, checkpoints);
  }

  /**
   * Attests the boot once, at start, with no nonce and no policies: the document's {@code user_data}
   * commits to the audit key, and its SHA-256 names the boot in every receipt ({@code bootId}).
   */
  private BootAudit bootAudit(Attester attester, Signer signer, Clock clock, ReceiptIssuer.Schedule checkpoints) {
    EnclaveResponse.Attestation document;
    try {
      document = attester.attest(null, List.of());
    } catch (NsmException e) {
      throw new IllegalStateException("the NSM refused the boot's attestation: " + e.getMessage(), e);
    }
    String bootId = Hex.encode(Hashes.sha256(java.util.Base64.getDecoder().decode(document.document())));
    ReceiptIssuer issuer = new ReceiptIssuer(attester.auditKey(), signer, bootId, clock,
        ReceiptIssuer.DEFAULT_REMEMBERED, checkpoints.every(), checkpoints.after());
    JobAudit jobs = new JobAudit(issuer,
        keyId -> keys.vault() instanceof KmsSealedVault vault ? vault.tenant(keyId) : java.util.Optional.empty(),
        policyRequests::ref);
    return new BootAudit(document, jobs);
  }

  public EnclaveResponse handle(EnclaveRequest request) {
    return handle(request, true);
  }

  /**
   * @param remember answer a repeated signing job from memory ({@link RecentJobs}); off when the
   *     host presents the state to decide on, since then the host keeps a job to one stored result
   *     and a job decided again after a failed write must be decided on the state it presents
   */
  private EnclaveResponse handle(EnclaveRequest request, boolean remember) {
    try {
      return switch (request) {
        case EnclaveRequest.Health h -> new EnclaveResponse.HealthStatus("ok", mode.wireName(), keys.size());
        case EnclaveRequest.GenerateKey g -> keyRequests.generate(g);
        case EnclaveRequest.ImportKey i -> keyRequests.importKey(i);
        case EnclaveRequest.GetPublicKey p -> keyRequests.publicKey(p);
        case EnclaveRequest.ListKeys l -> keyRequests.list();
        case EnclaveRequest.DisableKey d -> keyRequests.disable(d);
        case EnclaveRequest.SignMessage s -> once(remember, recentJobs, s.jobId(), s, () -> signRequests.message(s));
        case EnclaveRequest.SignEvent s -> once(remember, recentJobs, s.jobId(), s, () -> signRequests.event(s));
        case EnclaveRequest.SignDigest s -> once(remember, recentJobs, s.jobId(), s, () -> signRequests.digest(s));
        case EnclaveRequest.SignPsbt s -> once(remember, recentPsbtJobs, s.jobId(), s, () -> psbtRequests.sign(s));
        case EnclaveRequest.SetPolicy p -> policyRequests.set(keyRequests.find(p.keyId()), p);
        case EnclaveRequest.GetPolicy p -> policyRequests.get(keyRequests.find(p.keyId()).keyId());
        case EnclaveRequest.Attest a -> attest(a);
        case EnclaveRequest.AuditBoot b -> auditOrRefuse().document();
        case EnclaveRequest.AuditCheckpoints c -> new EnclaveResponse.Checkpoints(c.all()
            ? auditOrRefuse().jobs().issuer().checkpointAll() : auditOrRefuse().jobs().issuer().dueCheckpoints());
        case EnclaveRequest.AuditReceipts r -> new EnclaveResponse.Receipts(auditOrRefuse().jobs().issuer()
            .receipts(r.tenant(), r.fromSeq(), r.toSeq()));
        case EnclaveRequest.UnsealKey u -> keyRequests.unseal(u);
        case EnclaveRequest.EvaluatePolicy e -> switch (e.request()) {
          case EnclaveRequest.SignMessage m -> policyRequests.dryRun(keyRequests.find(m.keyId()).keyId(), signRequests.facts(m));
          case EnclaveRequest.SignDigest d -> policyRequests.dryRun(keyRequests.find(d.keyId()).keyId(), signRequests.facts(d));
          case EnclaveRequest.SignEvent v -> policyRequests.dryRun(keyRequests.find(v.keyId()).keyId(), signRequests.facts(v));
          case EnclaveRequest.SignPsbt p -> psbtRequests.dryRun(p);
        };
      };
    } catch (Refused e) {
      return e.toResponse();
    } catch (RuntimeException e) {
      // Log the type only: a message could in principle quote request data.
      LOG.error("request {} failed with {}", request.getClass().getSimpleName(), e.getClass().getName());
      return new EnclaveResponse.Error(ErrorCode.INTERNAL, "internal error; the request may be retried");
    }
  }

  /**
   * Answers one frame. What the request sealed travels in the same response frame, so the host
   * receives a charge's sealed state together with the signature it paid for.
   */
  public ResponseFrame handle(RequestFrame frame) {
    if (frame.state() == null) {
      EnclaveResponse response = handle(frame.body());
      return withReceipt(frame, ResponseFrame.of(frame.requestId(), response, drain()));
    }
    String keyId = keyOf(frame.body());
    if (keyId == null || !keyId.equals(frame.state().keyId())) {
      return ResponseFrame.of(frame.requestId(), new EnclaveResponse.Error(ErrorCode.INVALID_REQUEST,
          "state: a state is presented only with a request about its own key ('" + frame.state().keyId() + "')"));
    }
    // One key's frames are decided one at a time: adopting a state and deciding on it are one step.
    synchronized (keyLocks.computeIfAbsent(keyId, k -> new Object())) {
      if (!(frame.body() instanceof EnclaveRequest.SignRequest sign)) {
        return decideOn(frame, keyId);
      }
      // A job presented again on the same state (its worker died before storing the answer, or the
      // store failed) gets the first answer, with the state it sealed and its receipt: one
      // signature and one receipt per job and state. On another state it is a new decision.
      RecentJobs<ResponseFrame> answers = sign instanceof EnclaveRequest.SignPsbt ? recentPsbtOnState : recentOnState;
      try {
        ResponseFrame first = answers.resultFor(sign.jobId() + "@" + stateDigest(frame.state()), fingerprint(sign),
            () -> decideOn(frame, keyId), f -> !(f.body() instanceof EnclaveResponse.Error));
        return new ResponseFrame(first.version(), frame.requestId(), first.body(), first.sealed(), first.receipt());
      } catch (RecentJobs.ConflictingJobException e) {
        return ResponseFrame.of(frame.requestId(), new EnclaveResponse.Error(ErrorCode.INVALID_REQUEST, e.getMessage()));
      }
    }
  }

  /** Adopts the frame's state and decides on it; the caller holds the key's lock. */
  private ResponseFrame decideOn(RequestFrame frame, String keyId) {
    try {
      adopt(keyId, frame.state());
    } catch (Refused e) {
      return ResponseFrame.of(frame.requestId(), e.toResponse());
    }
    EnclaveResponse response = handle(frame.body(), false);
    return withReceipt(frame, ResponseFrame.of(frame.requestId(), response, drain()));
  }

  /** Answers decided on a presented state, by job and state: a few KiB each (the answer, its state, its receipt). */
  public static final int RECENT_ON_STATE = 5_000;

  private final RecentJobs<ResponseFrame> recentOnState = new RecentJobs<>(RECENT_ON_STATE);
  private final RecentJobs<ResponseFrame> recentPsbtOnState = new RecentJobs<>(RECENT_PSBT_JOBS);

  /** SHA-256 of the presented state as sent: the same stored state is the same bytes. */
  private static String stateDigest(SealedBlob state) {
    return Hex.encode(Hashes.sha256(Json.write(state).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  /**
   * The answer with the audit receipt of its decision, when it answers a job the enclave decided. A
   * failure to issue one fails the answer: nothing is released unrecorded.
   */
  private ResponseFrame withReceipt(RequestFrame request, ResponseFrame answer) {
    if (audit == null) {
      return answer;
    }
    try {
      return audit.jobs().receipt(request.body(), answer.body()).map(answer::withReceipt).orElse(answer);
    } catch (RuntimeException e) {
      LOG.error("issuing the receipt of request {} failed with {}", request.requestId(), e.getClass().getName());
      return ResponseFrame.of(request.requestId(), new EnclaveResponse.Error(ErrorCode.INTERNAL,
          "internal error; the request may be retried"));
    }
  }

  private BootAudit auditOrRefuse() throws Refused {
    if (audit == null) {
      throw new Refused(ErrorCode.INVALID_REQUEST, "audit: this enclave was started without an NSM and keeps no audit");
    }
    return audit;
  }

  private final java.util.concurrent.ConcurrentHashMap<String, Object> keyLocks = new java.util.concurrent.ConcurrentHashMap<>();

  /** What the request's key is, for a request about one key; null otherwise. */
  private static String keyOf(EnclaveRequest request) {
    return switch (request) {
      case EnclaveRequest.SignRequest s -> s.keyId();
      case EnclaveRequest.EvaluatePolicy e -> e.request().keyId();
      case EnclaveRequest.SetPolicy p -> p.keyId();
      case EnclaveRequest.GetPolicy p -> p.keyId();
      default -> null;
    };
  }

  /**
   * Makes {@code state} the key's state unless it already is: the host presents the latest state it
   * stored, which another enclave of the fleet may have sealed, or an older one when a state this
   * enclave sealed was never stored.
   */
  private void adopt(String keyId, SealedBlob state) throws Refused {
    if (!(keys.vault() instanceof KmsSealedVault vault)) {
      throw new Refused(ErrorCode.INVALID_REQUEST, "state: this enclave keeps keys in memory only and has no states");
    }
    keyRequests.find(keyId);
    if (vault.head(keyId).map(state::equals).orElse(false)) {
      return;
    }
    byte[] plain = null;
    try {
      plain = vault.adopt(keyId, state);
      policyRequests.restore(keyId, plain, keyRequests.find(keyId).config().network());
    } catch (dev.keep.enclave.seal.SealingException e) {
      throw new Refused(ErrorCode.SEALING_FAILED, e.getMessage());
    } finally {
      if (plain != null) {
        java.util.Arrays.fill(plain, (byte) 0);
      }
    }
  }

  private List<SealedBlob> drain() {
    return keys.vault() instanceof KmsSealedVault vault ? vault.drain() : List.of();
  }

  private EnclaveResponse attest(EnclaveRequest.Attest request) throws Refused {
    if (attester == null) {
      throw new Refused(ErrorCode.INVALID_REQUEST, "attest: this enclave was started without an NSM");
    }
    try {
      return attester.attest(request.nonce() == null ? null : Hex.decode("nonce", request.nonce()), policyRequests.refs());
    } catch (NsmException e) {
      LOG.error("NSM attestation failed: {}", e.getMessage());
      return new EnclaveResponse.Error(ErrorCode.INTERNAL, "attest: the NSM refused: " + e.getMessage());
    }
  }

  private interface Signing {
    EnclaveResponse sign() throws Refused;
  }

  /**
   * Runs a signing request once per job id: a repeat with the same request gets the first answer,
   * a repeat with a different request under the same job id is refused.
   */
  private static EnclaveResponse once(
      boolean remember, RecentJobs<EnclaveResponse> jobs, String jobId, EnclaveRequest request, Signing signing) {
    if (!remember) {
      try {
        return signing.sign();
      } catch (Refused e) {
        return e.toResponse();
      }
    }
    try {
      return jobs.resultFor(
          jobId,
          fingerprint(request),
          () -> {
            try {
              return signing.sign();
            } catch (Refused e) {
              return e.toResponse();
            }
          },
          r -> !(r instanceof EnclaveResponse.Error));
    } catch (RecentJobs.ConflictingJobException e) {
      return new EnclaveResponse.Error(ErrorCode.INVALID_REQUEST, e.getMessage());
    }
  }

  /** SHA-256 of the request's canonical JSON (hex fields are lower-cased by the records). */
  private static byte[] fingerprint(EnclaveRequest request) {
    try {
      byte[] json = Json.MAPPER.writerFor(EnclaveRequest.class).writeValueAsBytes(request);
      return MessageDigest.getInstance("SHA-256").digest(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("a request that was decoded can be encoded", e);
    }
  }
}
