package dev.keep.api.jobs;

import dev.keep.api.auth.Tenant;
import dev.keep.api.auth.TenantAuthenticator;
import dev.keep.api.http.HttpApiEvent;
import dev.keep.api.http.HttpApiResponse;
import dev.keep.schema.api.JobAccepted;
import dev.keep.schema.api.JobRequest;
import dev.keep.schema.api.JobStatus;
import dev.keep.schema.api.JobView;
import dev.keep.schema.api.JobRequestDecoder;
import dev.keep.schema.encoding.Echo;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.encoding.SchemaViolation;
import dev.keep.schema.encoding.Utf8;
import dev.keep.schema.tables.JobItemBudget;
import java.nio.charset.StandardCharsets;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.queue.SigningMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/jobs}, {@code GET /v1/jobs/{id}} and {@code POST /v1/policy/evaluate}. The API
 * never signs and never sees key material: it authenticates, validates, stores the job, enqueues
 * it and answers 202.
 *
 * <p>Only the enclave holds a key's policy and counters, so a dry run is a job too: it is stored
 * with kind {@code policy_evaluate}, goes through the queue like any job, and ends {@code
 * EVALUATED} with the decision as its result. The API waits for it for a short while and answers
 * 200 with the finished job; if the fleet is slower than that, it answers 202 and the client
 * reads the job like any other.
 */
public final class JobsApi {
  private static final Logger LOG = LoggerFactory.getLogger(JobsApi.class);
  private static final Pattern JOB_PATH = Pattern.compile("/v1/jobs/([^/]+)");
  private static final String EVALUATE_PATH = "/v1/policy/evaluate";
  /** How long {@code POST /v1/policy/evaluate} waits for the decision before answering 202. */
  public static final Duration DEFAULT_DRY_RUN_WAIT = Duration.ofSeconds(10);
  /** Largest body accepted: a 64 KiB message in hex plus the envelope. */
  public static final int MAX_BODY_BYTES = 256 * 1024;

  private final TenantAuthenticator authenticator;
  private final JobRepository jobs;
  private final JobQueue queue;
  private final Clock clock;
  private final Duration dryRunWait;

  public JobsApi(TenantAuthenticator authenticator, JobRepository jobs, JobQueue queue, Clock clock) {
    this(authenticator, jobs, queue, clock, DEFAULT_DRY_RUN_WAIT);
  }

  public JobsApi(
      TenantAuthenticator authenticator, JobRepository jobs, JobQueue queue, Clock clock, Duration dryRunWait) {
    this.authenticator = authenticator;
    this.jobs = jobs;
    this.queue = queue;
    this.clock = clock;
    this.dryRunWait = dryRunWait;
  }

  public HttpApiResponse handle(HttpApiEvent event) {
    String path = event.path();
    boolean jobsRoot = path.equals("/v1/jobs");
    boolean evaluate = path.equals(EVALUATE_PATH);
    Matcher jobPath = JOB_PATH.matcher(path);
    if (!jobsRoot && !evaluate && !jobPath.matches()) {
      return HttpApiResponse.error(404, "NOT_FOUND", "no route for " + Echo.of(path));
    }
    Optional<Tenant> tenant = authenticator.authenticate(event.header("authorization"));
    if (tenant.isEmpty()) {
      return HttpApiResponse.unauthorized(
          event.header("authorization").isEmpty()
              ? "missing Authorization: Bearer <api key>"
              : "the API key is not valid");
    }
    if (jobsRoot) {
      return event.method().equals("POST")
          ? submit(tenant.get(), event, false)
          : HttpApiResponse.error(405, "METHOD_NOT_ALLOWED", "use POST /v1/jobs");
    }
    if (evaluate) {
      return event.method().equals("POST")
          ? submit(tenant.get(), event, true)
          : HttpApiResponse.error(405, "METHOD_NOT_ALLOWED", "use POST " + EVALUATE_PATH + " with a job body");
    }
    return event.method().equals("GET")
        ? get(tenant.get(), jobPath.group(1))
        : HttpApiResponse.error(405, "METHOD_NOT_ALLOWED", "use GET /v1/jobs/{id}");
  }

  private HttpApiResponse submit(Tenant tenant, HttpApiEvent event, boolean dryRun) {
    byte[] bytes;
    try {
      bytes = event.bodyBytes();
    } catch (HttpApiEvent.InvalidBody e) {
      return HttpApiResponse.invalid("", e.getMessage());
    }
    // Bytes, not characters: 255k of '€' is 765k bytes.
    if (bytes.length > MAX_BODY_BYTES) {
      return HttpApiResponse.error(413, "PAYLOAD_TOO_LARGE",
          "body of " + bytes.length + " bytes exceeds " + MAX_BODY_BYTES + " bytes");
    }
    JobRequest request;
    try {
      request = JobRequestDecoder.decode(Utf8.decode(bytes, "body"));
    } catch (Utf8.MalformedException e) {
      return HttpApiResponse.invalid("", e.getMessage());
    } catch (SchemaViolation e) {
      return HttpApiResponse.invalid(e.field(), e.getMessage());
    }
    String kind = dryRun ? JobRequest.POLICY_EVALUATE : request.kind();
    String stored = Json.write(request);
    Optional<String> tooLarge =
        JobItemBudget.refusal(kind, stored.getBytes(StandardCharsets.UTF_8).length);
    if (tooLarge.isPresent()) {
      return HttpApiResponse.error(413, "PAYLOAD_TOO_LARGE", tooLarge.get());
    }
    // An unknown key and another tenant's key get the same answer, so ids cannot be probed.
    if (!jobs.keyOwner(request.keyId()).map(tenant.tenantId()::equals).orElse(false)) {
      return HttpApiResponse.invalid("keyId", "keyId: no key '" + Echo.of(request.keyId()) + "' for this tenant");
    }
    String jobId = UUID.randomUUID().toString();
    EnclaveRequest.requireJobId(jobId);
    Instant now = clock.instant();
    jobs.create(jobId, tenant.tenantId(), request.keyId(), kind, stored, now);
    try {
      queue.enqueue(SigningMessage.of(jobId, tenant.tenantId(), now.toString()));
    } catch (RuntimeException e) {
      // The job is stored as QUEUED; the sweeper re-enqueues it. The client still gets its id.
      LOG.warn("job {} stored but not enqueued ({}); the sweeper will re-drive it", jobId, e.getMessage());
    }
    if (dryRun) {
      Optional<JobView> done = awaitTerminal(jobId, tenant.tenantId());
      if (done.isPresent()) {
        return HttpApiResponse.json(200, done.get());
      }
    }
    return HttpApiResponse.json(202, new JobAccepted(jobId, JobStatus.QUEUED));
  }

  /** Reads the job until it is terminal or {@link #dryRunWait} has passed; polls back off to 250 ms. */
  private Optional<JobView> awaitTerminal(String jobId, String tenantId) {
    long deadline = System.nanoTime() + dryRunWait.toNanos();
    long pause = 20;
    while (true) {
      Optional<JobView> view = jobs.find(jobId, tenantId);
      if (view.isPresent() && view.get().status().isTerminal()) {
        return view;
      }
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return Optional.empty();
      }
      try {
        Thread.sleep(Math.min(pause, left));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
      pause = Math.min(pause * 2, 250);
    }
  }

  private HttpApiResponse get(Tenant tenant, String jobId) {
    // The id is the client's: the answer repeats at most a short printable prefix of it.
    HttpApiResponse notFound = HttpApiResponse.error(404, "NOT_FOUND", "no job '" + Echo.of(jobId) + "'");
    if (!EnclaveRequest.JOB_ID.matcher(jobId).matches()) {
      return notFound;
    }
    return jobs.find(jobId, tenant.tenantId())
        .map(view -> HttpApiResponse.json(200, view))
        .orElse(notFound);
  }
}
