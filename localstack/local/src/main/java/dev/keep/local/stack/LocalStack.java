package dev.keep.local.stack;

import dev.keep.api.ApiHandler;
import dev.keep.api.auth.TenantAuthenticator;
import dev.keep.api.ApiConfig;
import dev.keep.api.jobs.JobQueue;
import dev.keep.api.jobs.JobRepository;
import dev.keep.api.jobs.JobsApi;
import dev.keep.api.sweeper.QueuedJobSweeper;
import dev.keep.api.webhooks.DeliverySender;
import dev.keep.api.webhooks.EndpointRules;
import dev.keep.emulators.dynamodb.MotoNotFoundException;
import dev.keep.emulators.dynamodb.MotoServer;
import dev.keep.emulators.dynamodb.TableCreator;
import dev.keep.emulators.kms.KmsEndpoint;
import dev.keep.emulators.sqs.EmbeddedSqs;
import dev.keep.enclave.EnclaveMain;
import dev.keep.worker.audit.AuditTables;
import dev.keep.worker.audit.DirectoryCheckpointArchive;
import dev.keep.enclave.attestation.LocalNitroAuthority;
import dev.keep.schema.attestation.TrustedRoot;
import dev.keep.worker.sealing.DynamoDbSealedKeys;
import dev.keep.worker.sealing.KeySealer;
import dev.keep.worker.sealing.SealingFailure;
import software.amazon.awssdk.services.kms.KmsClient;
import dev.keep.local.http.HttpAdapter;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.tables.TableDefinition;
import dev.keep.schema.tables.Tables;
import dev.keep.worker.Worker;
import dev.keep.worker.WorkerMain;
import dev.keep.worker.enclave.EnclaveAddress;
import dev.keep.worker.enclave.EnclaveClient;
import dev.keep.worker.enclave.EnclaveUnavailableException;
import dev.keep.worker.queue.WorkerConfig;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The whole of Keep on one machine: SQS (ElasticMQ), DynamoDB (moto's server, a child process),
 * the KMS endpoint, the enclave as its own process on a loopback port, host workers, and the API
 * behind an HTTP adapter. The pieces talk through the same SDK clients, wire protocol and handlers
 * as in AWS.
 *
 * <p>Tests may give it a DynamoDB endpoint and a table prefix instead ({@link
 * Options#withDynamoDb}), so that one moto server serves every stack in a JVM.
 *
 * <p>When {@code KEEP_LOCALSTACK_URL} is set (for example {@code http://localhost:4566}), SQS,
 * DynamoDB and KMS are taken from that endpoint instead of the embedded emulators (untested here:
 * no Docker on the build machines).
 */
public final class LocalStack implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
  public static final String QUEUE_NAME = "keep-signing";
  public static final String KMS_ALIAS = "alias/keep-local";
  /** The KMS key webhook secrets are encrypted under; its policy is the default one (no attestation). */
  public static final String WEBHOOK_KMS_ALIAS = "alias/keep-local-webhooks";
  public static final String DELIVERY_QUEUE_NAME = "keep-webhook-deliveries";

  /**
   * What to start. {@code hosts} enclave processes, as a fleet's EC2 hosts each run one; workers
   * are spread over them in turn ({@link #withHosts} gives each host one at least). {@code dynamoDb}
   * null: a moto server of the stack's own; else that endpoint, with every table named {@code
   * tablePrefix + name}.
   */
  /** Local enclaves make a checkpoint of a chain this long after its last, with any receipt since. */
  public static final Duration CHECKPOINT_AFTER = Duration.ofSeconds(5);

  public record Options(
      int apiPort, int workers, int workerConcurrency, Duration visibility, Duration lease,
      int maxReceiveCount, Duration sweepAfter, int hosts, URI dynamoDb, String tablePrefix,
      DeliverySender.Settings webhooks) {
    public Options {
      if (hosts < 1 || hosts > 16) {
        throw new IllegalArgumentException("hosts: must be 1 to 16, got " + hosts);
      }
      java.util.Objects.requireNonNull(tablePrefix, "tablePrefix");
      java.util.Objects.requireNonNull(webhooks, "webhooks");
    }

    public static Options defaults() {
      return new Options(0, 1, 32, Duration.ofSeconds(30), Duration.ofSeconds(30), 8, Duration.ofMinutes(2), 1, null,
          "", DeliverySender.Settings.STANDARD);
    }

    public Options withApiPort(int port) {
      return new Options(port, workers, workerConcurrency, visibility, lease, maxReceiveCount, sweepAfter, hosts,
          dynamoDb, tablePrefix, webhooks);
    }

    public Options withWorkers(int count) {
      return new Options(apiPort, count, workerConcurrency, visibility, lease, maxReceiveCount, sweepAfter, hosts,
          dynamoDb, tablePrefix, webhooks);
    }

    public Options withTimeouts(Duration visibilityTimeout, Duration leaseDuration, int receives) {
      return new Options(apiPort, workers, workerConcurrency, visibilityTimeout, leaseDuration, receives, sweepAfter,
          hosts, dynamoDb, tablePrefix, webhooks);
    }

    /** {@code count} enclave processes, each with its own worker(s). */
    public Options withHosts(int count) {
      return new Options(apiPort, Math.max(workers, count), workerConcurrency, visibility, lease, maxReceiveCount,
          sweepAfter, count, dynamoDb, tablePrefix, webhooks);
    }

    /** Webhook deliveries on {@code settings}: tests give a shorter retry schedule and timeout. */
    public Options withWebhooks(DeliverySender.Settings settings) {
      return new Options(apiPort, workers, workerConcurrency, visibility, lease, maxReceiveCount, sweepAfter, hosts,
          dynamoDb, tablePrefix, settings);
    }

    /** DynamoDB at {@code endpoint} (the stack starts none), with tables named {@code prefix + name}. */
    public Options withDynamoDb(URI endpoint, String prefix) {
      return new Options(apiPort, workers, workerConcurrency, visibility, lease, maxReceiveCount, sweepAfter, hosts,
          java.util.Objects.requireNonNull(endpoint, "endpoint"), prefix, webhooks);
    }
  }

  /** One enclave process of the fleet: its process and loopback port (kept across restarts). */
  private static final class EnclaveHost {
    JavaProcess process;
    int port;
    final List<KeySealer> sealers = new ArrayList<>();
  }

  private final List<EnclaveHost> hosts = new ArrayList<>();

  private final List<AutoCloseable> closeInReverse = new ArrayList<>();
  private final List<Worker> workers = new ArrayList<>();
  private final Options options;
  private URI sqsEndpoint;
  private URI dynamoEndpoint;
  private URI kmsEndpoint;
  private SqsClient sqs;
  private DynamoDbClient dynamo;
  private Provisioning.Queues queues;
  private Provisioning.Queues deliveryQueues;
  private ApiConfig apiConfig;
  private EnclaveClient operatorClient;
  private HttpAdapter api;
  private RunDirectory runDirectory;
  private final AwsRequestCounter requests = new AwsRequestCounter();
  private SqsClient workerSqs;
  private DynamoDbClient workerDynamo;
  private java.nio.file.Path nitroDir;
  private TrustedRoot attestationRoot;
  private KmsClient kms;
  private String kmsKeyArn;
  private SortedMap<Integer, byte[]> enclavePcrs;
  private KeySealer operatorSealer;

  private LocalStack(Options options) {
    this.options = options;
  }

  /**
   * Starts everything; on failure, stops what had started.
   *
   * @throws MotoNotFoundException if the stack is to start its own moto server and moto_server is
   *     not installed; the message gives the command that installs it
   */
  public static LocalStack start(Options options) throws IOException, MotoNotFoundException {
    LocalStack stack = new LocalStack(options);
    try {
      stack.startAll();
      return stack;
    } catch (IOException | MotoNotFoundException | RuntimeException e) {
      stack.close();
      throw e;
    }
  }

  private void startAll() throws IOException, MotoNotFoundException {
    // The software NSM's root: the enclave process signs with it, KMS and the workers trust it.
    // Under $KEEP_HOME, not /tmp, and deleted when the stack stops: it holds the NSM root's key.
    runDirectory = RunDirectory.create();
    nitroDir = java.nio.file.Files.createDirectory(runDirectory.path().resolve("nitro"));
    try {
      attestationRoot = TrustedRoot.local(
          LocalNitroAuthority.openOrCreate(nitroDir, new java.security.SecureRandom(), java.time.Instant.now()).root());
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("local NSM root: " + e.getMessage(), e);
    }
    String external = System.getenv("KEEP_LOCALSTACK_URL");
    if (external != null && !external.isBlank()) {
      sqsEndpoint = dynamoEndpoint = kmsEndpoint = URI.create(external);
      LOG.info("using SQS, DynamoDB and KMS at {}", external);
    } else {
      if (options.dynamoDb() != null) {
        dynamoEndpoint = options.dynamoDb();
      } else {
        // First: a missing moto_server is the likeliest failure, and the cheapest to report.
        MotoServer moto = MotoServer.start();
        closeInReverse.add(moto);
        dynamoEndpoint = moto.endpoint();
      }
      EmbeddedSqs sqsServer = EmbeddedSqs.start(0);
      closeInReverse.add(sqsServer);
      KmsEndpoint kmsServer = LocalKms.start(attestationRoot, null);
      closeInReverse.add(kmsServer);
      sqsEndpoint = sqsServer.endpoint();
      kmsEndpoint = kmsServer.endpoint();
    }
    sqs = configure(SqsClient.builder(), sqsEndpoint, "operator").build();
    dynamo = configure(DynamoDbClient.builder(), dynamoEndpoint, "operator").build();
    closeInReverse.add(sqs);
    closeInReverse.add(dynamo);
    // Each component has clients of its own, so the requests a job costs can be told apart.
    SqsClient apiSqs = configure(SqsClient.builder(), sqsEndpoint, "api").build();
    DynamoDbClient apiDynamo = configure(DynamoDbClient.builder(), dynamoEndpoint, "api").build();
    workerSqs = configure(SqsClient.builder(), sqsEndpoint, "worker").build();
    workerDynamo = configure(DynamoDbClient.builder(), dynamoEndpoint, "worker").build();
    closeInReverse.add(apiSqs);
    closeInReverse.add(apiDynamo);
    closeInReverse.add(workerSqs);
    closeInReverse.add(workerDynamo);

    kms = LocalKms.client(kmsEndpoint);
    closeInReverse.add(kms);
    enclavePcrs = LocalKms.thisBuildPcrs();
    kmsKeyArn = LocalKms.keyFor(kms, KMS_ALIAS, LocalKms.enclavePolicy(enclavePcrs));

    TableCreator.createAll(dynamo, Tables.withPrefix(options.tablePrefix()));
    queues = Provisioning.createQueues(sqs, QUEUE_NAME, (int) options.visibility().toSeconds(), options.maxReceiveCount());

    for (int h = 0; h < options.hosts(); h++) {
      hosts.add(new EnclaveHost());
      startEnclave(h, List.of());
    }
    for (int i = 0; i < options.workers(); i++) {
      startWorker("worker-" + (i + 1), i % options.hosts());
    }

    // Webhooks: the delivery queue and its DLQ (a message that fails 5 times goes there), the key
    // their secrets are encrypted under, and the dispatcher and sender on clients of their own.
    deliveryQueues = Provisioning.createQueues(sqs, DELIVERY_QUEUE_NAME, 60, 5);
    String webhookKey = LocalKms.keyFor(kms, WEBHOOK_KMS_ALIAS, null);
    apiConfig = new ApiConfig(table(Tables.JOBS), table(Tables.KEYS), table(Tables.TENANTS), table(Tables.BATCHES),
        table(Tables.IDEMPOTENCY), queues.queueUrl(), new ApiConfig.Webhooks(table(Tables.WEBHOOKS),
        table(Tables.DELIVERIES), deliveryQueues.queueUrl(), webhookKey, EndpointRules.Mode.LOCAL),
        ApiConfig.Audit.withPrefix(options.tablePrefix()));
    KmsClient apiKms = configure(KmsClient.builder(), kmsEndpoint, "api").build();
    DynamoDbClient hooksDynamo = configure(DynamoDbClient.builder(), dynamoEndpoint, "webhooks").build();
    DynamoDbStreamsClient hooksStreams = configure(DynamoDbStreamsClient.builder(), dynamoEndpoint, "webhooks").build();
    SqsClient hooksSqs = configure(SqsClient.builder(), sqsEndpoint, "webhooks").build();
    KmsClient hooksKms = configure(KmsClient.builder(), kmsEndpoint, "webhooks").build();
    closeInReverse.addAll(List.of(apiKms, hooksDynamo, hooksStreams, hooksSqs, hooksKms));
    closeInReverse.add(StreamPoller.start(hooksDynamo, hooksStreams, table(Tables.JOBS),
        ApiHandler.dispatcher(hooksDynamo, hooksSqs, hooksKms, apiConfig, Clock.systemUTC())));
    closeInReverse.add(DeliveryPoller.start(hooksSqs, deliveryQueues.queueUrl(),
        ApiHandler.sender(hooksDynamo, hooksSqs, hooksKms, apiConfig, options.webhooks(), Clock.systemUTC())));

    JobRepository jobs = new JobRepository(apiDynamo, table(Tables.JOBS), table(Tables.KEYS));
    JobQueue queue = new JobQueue(apiSqs, queues.queueUrl());
    ApiHandler handler = new ApiHandler(ApiHandler.assemble(apiDynamo, apiSqs, apiKms, apiConfig, Clock.systemUTC(),
        JobsApi.DEFAULT_DRY_RUN_WAIT));
    api = HttpAdapter.start(options.apiPort(), handler);
    closeInReverse.add(api);

    QueuedJobSweeper sweeper = new QueuedJobSweeper(jobs, queue, Clock.systemUTC(), options.sweepAfter());
    ScheduledExecutorService sweeps = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("sweeper").daemon(true).factory());
    sweeps.scheduleWithFixedDelay(() -> {
      try {
        sweeper.sweep(100);
      } catch (RuntimeException e) {
        LOG.warn("sweep failed: {}", e.getMessage());
      }
    }, 10, 10, TimeUnit.SECONDS);
    closeInReverse.add(sweeps::shutdownNow);
  }

  private <B extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, ?>
      & software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder<B, ?>> B configure(B builder, URI endpoint,
      String component) {
    return builder
        // The SDK's standard retries (3 attempts): a worker retries a job itself, through the
        // queue, so the SDK need not wait out DynamoDB's legacy 9 attempts first.
        .overrideConfiguration(c -> c.addExecutionInterceptor(requests.interceptor(component))
            .retryStrategy(software.amazon.awssdk.core.retry.RetryMode.STANDARD))
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        // A pooled client: the stack's dozens of concurrent callers would otherwise open a new
        // connection for most requests (HttpURLConnection keeps five idle ones per host).
        .httpClientBuilder(software.amazon.awssdk.http.apache5.Apache5HttpClient.builder().maxConnections(128));
  }

  /**
   * Starts (or restarts, on the same port) the enclave as its own process. It holds no key until
   * a worker unseals them into it: at a worker's start, or when a job finds a key missing.
   */
  public void startEnclave() throws IOException {
    startEnclave(List.of());
  }

  /**
   * Starts (or restarts) the enclave with extra arguments, e.g. {@code --image other.jar} for a
   * build that measures differently, or {@code --debug-mode}.
   */
  public void startEnclave(List<String> extraArgs) throws IOException {
    startEnclave(0, extraArgs);
  }

  /** Starts (or restarts, on the same port) host {@code host}'s enclave. */
  public void startEnclave(int host, List<String> extraArgs) throws IOException {
    EnclaveHost h = hosts.get(host);
    List<String> args = new ArrayList<>(List.of("--local", "--tcp-port", Integer.toString(h.port),
        "--nitro-dir", nitroDir.toString(), "--checkpoint-seconds", Long.toString(CHECKPOINT_AFTER.toSeconds())));
    args.addAll(extraArgs);
    if (host == 0 && operatorClient != null) {
      operatorClient.close();
    }
    h.process = JavaProcess.start(options.hosts() == 1 ? "enclave" : "enclave-" + (host + 1),
        EnclaveMain.class.getName(), args, Map.of(), EnclaveMain.READY_PREFIX, Duration.ofSeconds(60));
    String address = h.process.readyLine().substring(EnclaveMain.READY_PREFIX.length()).trim();
    h.port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    if (host == 0) {
      // The operator's commands (make keys, set policies) go to the first host's enclave; the other
      // hosts unseal a new key when their first job for it finds it missing.
      operatorClient = new EnclaveClient(enclaveAddress(), 1, Duration.ofSeconds(30));
      operatorSealer = new KeySealer(operatorClient, kms, kmsKeyArn,
          new DynamoDbSealedKeys(dynamo, table(Tables.KEYS)), attestationRoot, Clock.systemUTC());
    }
    h.sealers.forEach(KeySealer::enclaveRestarted);
    LOG.info("enclave process {} (host {}) listening on {}", h.process.pid(), host + 1, address);
  }

  /** Starts another in-process worker on the first host. */
  public Worker startWorker(String workerId) {
    return startWorker(workerId, 0);
  }

  /** Starts another in-process worker, talking to host {@code host}'s enclave. */
  public Worker startWorker(String workerId, int host) {
    return startWorker(workerId, host, workerDynamo);
  }

  /**
   * Starts another in-process worker on host {@code host} that reaches DynamoDB at {@code endpoint}:
   * the emulator, or a fault-injecting proxy in front of it.
   */
  public Worker startWorker(String workerId, int host, URI endpoint) {
    DynamoDbClient client = configure(DynamoDbClient.builder(), endpoint, "worker").build();
    closeInReverse.add(client);
    return startWorker(workerId, host, client);
  }

  private Worker startWorker(String workerId, int host, DynamoDbClient db) {
    WorkerConfig config = WorkerConfig.defaults(queues.queueUrl(), queues.deadLetterQueueUrl(), workerId)
        .withConcurrency(options.workerConcurrency())
        .withTimeouts(options.visibility(), options.lease(), 5);
    EnclaveClient client = new EnclaveClient(enclaveAddress(host), 4, Duration.ofSeconds(30));
    KeySealer sealer = new KeySealer(client, kms, kmsKeyArn, new DynamoDbSealedKeys(db, table(Tables.KEYS)),
        attestationRoot, Clock.systemUTC());
    hosts.get(host).sealers.add(sealer);
    Worker worker = new Worker(workerSqs, db, client,
        config, table(Tables.JOBS), table(Tables.AUDIT), table(Tables.KEYS), sealer, auditConfig(), Clock.systemUTC())
        .start();
    workers.add(worker);
    return worker;
  }

  /**
   * The audit chain locally: checkpoints due after {@link #CHECKPOINT_AFTER} (not five minutes, so a
   * demo sees them), asked for every two seconds, and archived to {@link #checkpointDirectory()}.
   */
  private Worker.Audit auditConfig() {
    return new Worker.Audit(auditTables(), List.of(new DirectoryCheckpointArchive(checkpointDirectory())),
        Duration.ofSeconds(2), Duration.ofSeconds(10));
  }

  public AuditTables auditTables() {
    return new AuditTables(table(Tables.RECEIPTS), table(Tables.CHECKPOINTS), table(Tables.ATTESTATIONS));
  }

  /** Where this stack's workers archive checkpoints: the local stand-in for S3 Object Lock. */
  public java.nio.file.Path checkpointDirectory() {
    return runDirectory.path().resolve("checkpoints");
  }

  /**
   * Starts a worker in its own process (so a test can kill it), reaching the enclave at {@code
   * enclave} — the real one, or a fault-injecting proxy in front of it.
   */
  public JavaProcess startWorkerProcess(String workerId, EnclaveAddress enclave) throws IOException {
    Map<String, String> env = Map.ofEntries(
        Map.entry("KEEP_QUEUE_URL", queues.queueUrl()),
        Map.entry("KEEP_DLQ_URL", queues.deadLetterQueueUrl()),
        Map.entry("KEEP_ENCLAVE", enclave.toString()),
        Map.entry("KEEP_WORKER_ID", workerId),
        Map.entry("KEEP_JOBS_TABLE", table(Tables.JOBS)),
        Map.entry("KEEP_AUDIT_TABLE", table(Tables.AUDIT)),
        Map.entry("KEEP_KEYS_TABLE", table(Tables.KEYS)),
        Map.entry("KEEP_RECEIPTS_TABLE", table(Tables.RECEIPTS)),
        Map.entry("KEEP_CHECKPOINTS_TABLE", table(Tables.CHECKPOINTS)),
        Map.entry("KEEP_ATTESTATIONS_TABLE", table(Tables.ATTESTATIONS)),
        Map.entry("KEEP_CHECKPOINT_DIR", checkpointDirectory().toString()),
        Map.entry("KEEP_CHECKPOINT_POLL_SECONDS", "2"),
        Map.entry("KEEP_VISIBILITY_SECONDS", Long.toString(options.visibility().toSeconds())),
        Map.entry("KEEP_LEASE_SECONDS", Long.toString(options.lease().toSeconds())),
        Map.entry("KEEP_WAIT_SECONDS", "2"),
        Map.entry("AWS_REGION", "us-east-1"),
        Map.entry("AWS_ACCESS_KEY_ID", "local"),
        Map.entry("AWS_SECRET_ACCESS_KEY", "local"),
        Map.entry("AWS_ENDPOINT_URL_SQS", sqsEndpoint.toString()),
        Map.entry("AWS_ENDPOINT_URL_DYNAMODB", dynamoEndpoint.toString()),
        Map.entry("AWS_ENDPOINT_URL_KMS", kmsEndpoint.toString()),
        Map.entry("KEEP_KMS_KEY_ID", kmsKeyArn),
        Map.entry("KEEP_ATTESTATION_ROOT", nitroDir.resolve("local-nitro-root.pem").toString()));
    return JavaProcess.start(workerId, WorkerMain.class.getName(), List.of(), env, WorkerMain.READY_PREFIX, Duration.ofSeconds(60));
  }

  public EnclaveAddress enclaveAddress() {
    return enclaveAddress(0);
  }

  public EnclaveAddress enclaveAddress(int host) {
    return new EnclaveAddress.LoopbackTcp(hosts.get(host).port);
  }

  public JavaProcess enclaveProcess() {
    return enclaveProcess(0);
  }

  public JavaProcess enclaveProcess(int host) {
    return hosts.get(host).process;
  }

  /** How many enclave processes (hosts) the stack runs. */
  public int hostCount() {
    return hosts.size();
  }

  /**
   * The policy the local stack gives keys it makes unless told otherwise: every job kind, no
   * limit. Keys sign nothing without a policy (default deny); this one is explicit, named, and
   * for development only. The demo and {@code keep local up} say so when they use it.
   */
  public static final String DEVELOPMENT_POLICY_JSON =
      "{\"version\":1,\"rule\":{\"id\":\"local-development-only\",\"type\":\"allowed_kinds\","
          + "\"kinds\":[\"message\",\"nostr_event\",\"digest\",\"psbt\"]}}";

  /** What the demo and {@code keep local up} print about {@link #DEVELOPMENT_POLICY_JSON}. */
  public static final String DEVELOPMENT_POLICY_NOTICE =
      "DEVELOPMENT (rule 'local-development-only': every job kind, no limits); local mode only";

  /** Operator path: a single mainnet key under the development policy, and its owner. */
  public EnclaveResponse.KeyInfo createKey(String keyId, String tenantId) throws EnclaveUnavailableException {
    return createKey(keyId, tenantId, EnclaveRequest.KeySpec.DEFAULT);
  }

  /** Operator path: a key with {@code spec} under the development policy, and its owner. */
  public EnclaveResponse.KeyInfo createKey(String keyId, String tenantId, EnclaveRequest.KeySpec spec)
      throws EnclaveUnavailableException {
    return createKey(keyId, tenantId, spec, DEVELOPMENT_POLICY_JSON);
  }

  /**
   * Operator path: generates a key with {@code spec} and {@code policy} (null: none, so the key
   * signs nothing until a policy is set) in the enclave, and records its owner.
   */
  public EnclaveResponse.KeyInfo createKey(String keyId, String tenantId, EnclaveRequest.KeySpec spec, String policy)
      throws EnclaveUnavailableException {
    EnclaveResponse response;
    try {
      response = operatorSealer.generate(new EnclaveRequest.GenerateKey(keyId, spec, policy), tenantId);
    } catch (SealingFailure e) {
      throw new IllegalStateException("'" + keyId + "' was not sealed: " + e.getMessage(), e);
    }
    if (!(response instanceof EnclaveResponse.KeyInfo info)) {
      throw new IllegalStateException("the enclave refused to generate '" + keyId + "': " + response);
    }
    return info;
  }

  /** Operator path: the public forms of {@code keyId} at {@code path} (null: the key itself). */
  public EnclaveResponse.KeyInfo publicKey(String keyId, String path) throws EnclaveUnavailableException {
    EnclaveResponse response = operatorClient.call(new EnclaveRequest.GetPublicKey(keyId, path));
    if (!(response instanceof EnclaveResponse.KeyInfo info)) {
      throw new IllegalStateException("the enclave refused the public key of '" + keyId + "' at " + path + ": " + response);
    }
    return info;
  }

  /** An auditor's API key for {@code tenantId}: read-only (issue 19). */
  public void createAuditorKey(String tenantId, String apiKey) {
    Provisioning.createApiKey(dynamo, table(Tables.TENANTS), tenantId, apiKey, dev.keep.api.auth.Tenant.Role.AUDITOR,
        Provisioning.LOCAL_RATE_PER_SECOND);
  }

  /** The local software NSM's root certificate (PEM): {@code keep audit verify --local-root}. */
  public java.nio.file.Path attestationRootPem() {
    return nitroDir.resolve("local-nitro-root.pem");
  }

  public void createTenant(String tenantId, String apiKey) {
    Provisioning.createTenant(dynamo, table(Tables.TENANTS), tenantId, apiKey);
  }

  /** What the stack puts before every table name ({@link Options#withDynamoDb}); empty by default. */
  public String tablePrefix() {
    return options.tablePrefix();
  }

  /** The name this stack gives {@code table}: its definition's name after the stack's prefix. */
  public String table(TableDefinition table) {
    return options.tablePrefix() + table.name();
  }

  public String apiUrl() {
    return api.url();
  }

  public SqsClient sqs() {
    return sqs;
  }

  public DynamoDbClient dynamo() {
    return dynamo;
  }

  public URI kmsEndpoint() {
    return kmsEndpoint;
  }

  /** The local KMS key that seals the stack's keys; its policy pins this build's PCR0, 1 and 2. */
  public String kmsKeyArn() {
    return kmsKeyArn;
  }

  public KmsClient kms() {
    return kms;
  }

  /** The software NSM's root, which KMS and the workers trust for this stack. */
  public TrustedRoot attestationRoot() {
    return attestationRoot;
  }

  /** The PCRs of this build, which the KMS key's policy requires of a Recipient. */
  public SortedMap<Integer, byte[]> enclavePcrs() {
    return enclavePcrs;
  }

  public KeySealer operatorSealer() {
    return operatorSealer;
  }

  public URI sqsEndpoint() {
    return sqsEndpoint;
  }

  public URI dynamoEndpoint() {
    return dynamoEndpoint;
  }

  public Provisioning.Queues queues() {
    return queues;
  }

  /** The webhook delivery queue and its DLQ. */
  public Provisioning.Queues deliveryQueues() {
    return deliveryQueues;
  }

  /** The names the stack's API, dispatcher and sender use. */
  public ApiConfig apiConfig() {
    return apiConfig;
  }

  public List<Worker> workers() {
    return List.copyOf(workers);
  }

  @Override
  public void close() {
    for (Worker worker : workers) {
      worker.shutdown(Duration.ofSeconds(10));
    }
    if (operatorClient != null) {
      operatorClient.close();
    }
    for (EnclaveHost h : hosts) {
      if (h.process != null) {
        h.process.close();
      }
    }
    for (int i = closeInReverse.size() - 1; i >= 0; i--) {
      try {
        closeInReverse.get(i).close();
      } catch (Exception e) {
        LOG.debug("while stopping: {}", e.getMessage());
      }
    }
    if (runDirectory != null) {
      runDirectory.close();
    }
  }

  /** Every AWS request the stack's components have sent, by component, service and operation. */
  public AwsRequestCounter requests() {
    return requests;
  }

  /** Where this stack keeps its private files until it stops ({@link RunDirectory}). */
  public java.nio.file.Path runDirectory() {
    return runDirectory.path();
  }
}
