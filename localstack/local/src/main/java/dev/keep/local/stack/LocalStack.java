package dev.keep.local.stack;

import com.fasterxml.jackson.databind.JsonNode;

import dev.keep.api.ApiHandler;
import dev.keep.api.auth.TenantAuthenticator;
import dev.keep.api.jobs.JobQueue;
import dev.keep.api.jobs.JobRepository;
import dev.keep.api.jobs.JobsApi;
import dev.keep.api.sweeper.QueuedJobSweeper;
import dev.keep.emulators.dynamodb.MotoNotFoundException;
import dev.keep.emulators.dynamodb.MotoServer;
import dev.keep.emulators.dynamodb.TableCreator;
import dev.keep.emulators.kms.KmsEndpoint;
import dev.keep.emulators.sqs.EmbeddedSqs;
import dev.keep.enclave.EnclaveMain;
import dev.keep.enclave.attestation.LocalNitroAuthority;
import dev.keep.schema.attestation.TrustedRoot;
import dev.keep.worker.sealing.DynamoDbSealedKeys;
import dev.keep.worker.sealing.KeySealer;
import dev.keep.worker.sealing.SealingFailure;
import software.amazon.awssdk.services.kms.KmsClient;
import dev.keep.local.http.HttpAdapter;
import dev.keep.schema.encoding.Json;
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

  /**
   * What to start. {@code dynamoDb} null: a moto server of the stack's own; else that endpoint,
   * with every table named {@code tablePrefix + name}.
   */
  public record Options(
      int apiPort, int workers, int workerConcurrency, Duration visibility, Duration lease,
      int maxReceiveCount, Duration sweepAfter, URI dynamoDb, String tablePrefix) {
    public Options {
      java.util.Objects.requireNonNull(tablePrefix, "tablePrefix");
    }

    public static Options defaults() {
      return new Options(0, 1, 32, Duration.ofSeconds(30), Duration.ofSeconds(30), 8, Duration.ofMinutes(2), null, "");
    }

    public Options withApiPort(int port) {
      return new Options(port, workers, workerConcurrency, visibility, lease, maxReceiveCount, sweepAfter, dynamoDb, tablePrefix);
    }

    public Options withWorkers(int count) {
      return new Options(apiPort, count, workerConcurrency, visibility, lease, maxReceiveCount, sweepAfter, dynamoDb, tablePrefix);
    }

    public Options withTimeouts(Duration visibilityTimeout, Duration leaseDuration, int receives) {
      return new Options(apiPort, workers, workerConcurrency, visibilityTimeout, leaseDuration, receives, sweepAfter,
          dynamoDb, tablePrefix);
    }

    /** DynamoDB at {@code endpoint} (the stack starts none), with tables named {@code prefix + name}. */
    public Options withDynamoDb(URI endpoint, String prefix) {
      return new Options(apiPort, workers, workerConcurrency, visibility, lease, maxReceiveCount, sweepAfter,
          java.util.Objects.requireNonNull(endpoint, "endpoint"), prefix);
    }
  }

  private final List<AutoCloseable> closeInReverse = new ArrayList<>();
  private final List<Worker> workers = new ArrayList<>();
  private final Options options;
  private URI sqsEndpoint;
  private URI dynamoEndpoint;
  private URI kmsEndpoint;
  private SqsClient sqs;
  private DynamoDbClient dynamo;
  private Provisioning.Queues queues;
  private JavaProcess enclaveProcess;
  private int enclavePort;
  private EnclaveClient operatorClient;
  private HttpAdapter api;
  private java.nio.file.Path nitroDir;
  private TrustedRoot attestationRoot;
  private KmsClient kms;
  private String kmsKeyArn;
  private SortedMap<Integer, byte[]> enclavePcrs;
  private KeySealer operatorSealer;
  private final List<KeySealer> sealers = new ArrayList<>();

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
    nitroDir = java.nio.file.Files.createTempDirectory("keep-nitro-");
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
    sqs = configure(SqsClient.builder(), sqsEndpoint).build();
    dynamo = configure(DynamoDbClient.builder(), dynamoEndpoint).build();
    closeInReverse.add(sqs);
    closeInReverse.add(dynamo);

    kms = LocalKms.client(kmsEndpoint);
    closeInReverse.add(kms);
    enclavePcrs = LocalKms.thisBuildPcrs();
    kmsKeyArn = LocalKms.keyFor(kms, KMS_ALIAS, LocalKms.enclavePolicy(enclavePcrs));

    TableCreator.createAll(dynamo, Tables.withPrefix(options.tablePrefix()));
    queues = Provisioning.createQueues(sqs, QUEUE_NAME, (int) options.visibility().toSeconds(), options.maxReceiveCount());

    startEnclave();
    for (int i = 0; i < options.workers(); i++) {
      startWorker("worker-" + (i + 1));
    }

    JobRepository jobs = new JobRepository(dynamo, table(Tables.JOBS), table(Tables.KEYS));
    JobQueue queue = new JobQueue(sqs, queues.queueUrl());
    ApiHandler handler = new ApiHandler(new JobsApi(
        new TenantAuthenticator(dynamo, table(Tables.TENANTS)), jobs, queue, Clock.systemUTC()));
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

  private static <B extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, ?>
      & software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder<B, ?>> B configure(B builder, URI endpoint) {
    return builder
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
    List<String> args = new ArrayList<>(List.of("--local", "--tcp-port", Integer.toString(enclavePort),
        "--nitro-dir", nitroDir.toString()));
    args.addAll(extraArgs);
    if (operatorClient != null) {
      operatorClient.close();
    }
    enclaveProcess = JavaProcess.start("enclave", EnclaveMain.class.getName(),
        args, Map.of(), EnclaveMain.READY_PREFIX, Duration.ofSeconds(60));
    String address = enclaveProcess.readyLine().substring(EnclaveMain.READY_PREFIX.length()).trim();
    enclavePort = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    operatorClient = new EnclaveClient(enclaveAddress(), 1, Duration.ofSeconds(30));
    operatorSealer = new KeySealer(operatorClient, kms, kmsKeyArn, new DynamoDbSealedKeys(dynamo, table(Tables.KEYS)),
        attestationRoot, Clock.systemUTC());
    sealers.forEach(KeySealer::enclaveRestarted);
    LOG.info("enclave process {} listening on {}", enclaveProcess.pid(), address);
  }

  /** Starts another in-process worker. */
  public Worker startWorker(String workerId) {
    WorkerConfig config = WorkerConfig.defaults(queues.queueUrl(), queues.deadLetterQueueUrl(), workerId)
        .withConcurrency(options.workerConcurrency())
        .withTimeouts(options.visibility(), options.lease(), 5);
    EnclaveClient client = new EnclaveClient(enclaveAddress(), 4, Duration.ofSeconds(30));
    KeySealer sealer = new KeySealer(client, kms, kmsKeyArn, new DynamoDbSealedKeys(dynamo, table(Tables.KEYS)),
        attestationRoot, Clock.systemUTC());
    sealers.add(sealer);
    Worker worker = new Worker(sqs, dynamo, client,
        config, table(Tables.JOBS), table(Tables.AUDIT), sealer, Clock.systemUTC()).start();
    workers.add(worker);
    return worker;
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
    return new EnclaveAddress.LoopbackTcp(enclavePort);
  }

  public JavaProcess enclaveProcess() {
    return enclaveProcess;
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

  public static JsonNode developmentPolicy() {
    return readTree(DEVELOPMENT_POLICY_JSON);
  }

  private static JsonNode readTree(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("the development policy is JSON", e);
    }
  }

  /** Operator path: a single mainnet key under the development policy, and its owner. */
  public EnclaveResponse.KeyInfo createKey(String keyId, String tenantId) throws EnclaveUnavailableException {
    return createKey(keyId, tenantId, EnclaveRequest.KeySpec.DEFAULT);
  }

  /** Operator path: a key with {@code spec} under the development policy, and its owner. */
  public EnclaveResponse.KeyInfo createKey(String keyId, String tenantId, EnclaveRequest.KeySpec spec)
      throws EnclaveUnavailableException {
    return createKey(keyId, tenantId, spec, developmentPolicy());
  }

  /**
   * Operator path: generates a key with {@code spec} and {@code policy} (null: none, so the key
   * signs nothing until a policy is set) in the enclave, and records its owner.
   */
  public EnclaveResponse.KeyInfo createKey(String keyId, String tenantId, EnclaveRequest.KeySpec spec, JsonNode policy)
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
    if (enclaveProcess != null) {
      enclaveProcess.close();
    }
    for (int i = closeInReverse.size() - 1; i >= 0; i--) {
      try {
        closeInReverse.get(i).close();
      } catch (Exception e) {
        LOG.debug("while stopping: {}", e.getMessage());
      }
    }
  }
}
