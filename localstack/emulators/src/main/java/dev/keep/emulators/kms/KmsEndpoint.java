package dev.keep.emulators.kms;

import com.sun.net.httpserver.HttpServer;
import dev.keep.schema.attestation.TrustedRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keep's local KMS: the real AWS KMS JSON 1.1 wire protocol over plain HTTP on 127.0.0.1, so the
 * unmodified SDK {@code KmsClient} talks to it through an endpoint override.
 *
 * <p>Implemented: CreateKey, CreateAlias, DescribeKey, GetKeyPolicy, PutKeyPolicy, Encrypt,
 * Decrypt, GenerateDataKey, GenerateRandom. Key policies are evaluated for every operation on a
 * key; there is no IAM, so every statement's Principal matches every caller and the key policy
 * alone decides. Decrypt, GenerateDataKey and GenerateRandom honour a Nitro Enclaves {@code
 * Recipient}: the attestation document is verified against the configured {@link TrustedRoot}, its
 * PCRs feed the {@code kms:RecipientAttestation:*} conditions, and the secret comes back only as
 * {@code CiphertextForRecipient}. Requests are not signature checked.
 *
 * <pre>{@code
 * KmsEndpoint kms = KmsEndpoint.builder()
 *     .trustedRoot(TrustedRoot.local(localRootCertificate)) // default: TrustedRoot.awsNitro()
 *     .directory(Path.of(".keep/kms"))                      // default: keys in memory only
 *     .start();                                             // port 0: any free port
 * }</pre>
 */
public final class KmsEndpoint implements AutoCloseable {
  /** Region and account in key and alias ARNs, unless the builder is given others. */
  public static final String DEFAULT_REGION = "us-east-1";

  public static final String DEFAULT_ACCOUNT_ID = "000000000000";

  private static final Logger LOG = LoggerFactory.getLogger(KmsEndpoint.class);
  private static final Pattern REGION = Pattern.compile("[a-z0-9-]+");
  private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");

  private final HttpServer server;
  private final ExecutorService executor;
  private final URI endpoint;
  private volatile boolean closed;

  private KmsEndpoint(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
    this.endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /**
   * Starts on {@code port}, or on a free port when it is 0, with the default region and account,
   * keys in memory, trusting documents from the AWS Nitro Enclaves root only.
   */
  public static KmsEndpoint start(int port) {
    return builder().port(port).start();
  }

  /** Starts with key ARNs in {@code region} and {@code accountId}, e.g. to match a client's. */
  public static KmsEndpoint start(int port, String region, String accountId) {
    return builder().port(port).region(region).accountId(accountId).start();
  }

  /** Settings for an endpoint; every one has a default. */
  public static Builder builder() {
    return new Builder();
  }

  /** The base URI to give an SDK client as its endpoint override. */
  public URI endpoint() {
    return endpoint;
  }

  /** Stops at once; in-flight requests are cut off. Keys in memory are forgotten. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.stop(0);
    executor.shutdownNow();
  }

  /** Settings; {@link #start()} checks them and binds. */
  public static final class Builder {
    private int port;
    private String region = DEFAULT_REGION;
    private String accountId = DEFAULT_ACCOUNT_ID;
    private TrustedRoot trustedRoot;
    private Path directory;

    private Builder() {}

    /** The port on 127.0.0.1; 0 (the default) picks a free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** The region in key and alias ARNs; us-east-1 by default. */
    public Builder region(String region) {
      this.region = region;
      return this;
    }

    /** The 12-digit account in key and alias ARNs; 000000000000 by default. */
    public Builder accountId(String accountId) {
      this.accountId = accountId;
      return this;
    }

    /**
     * The root a Recipient's attestation document must chain to: {@link TrustedRoot#awsNitro()} by
     * default; local mode passes {@link TrustedRoot#local} with its software NSM's root.
     */
    public Builder trustedRoot(TrustedRoot root) {
      this.trustedRoot = Objects.requireNonNull(root, "root");
      return this;
    }

    /**
     * Keeps keys and aliases as owner-only files in {@code directory} (created if missing), so an
     * endpoint started later, or in another process, on the same directory has the same keys.
     * Without it keys live in memory and vanish on {@link #close()}.
     */
    public Builder directory(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IllegalArgumentException for a bad port, region or account, or a directory made for
     *     another region or account
     * @throws java.io.UncheckedIOException when the port cannot be bound or the directory opened
     */
    public KmsEndpoint start() {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port: must be 0..65535, got " + port);
      }
      if (region == null || !REGION.matcher(region).matches()) {
        throw new IllegalArgumentException("region: must match " + REGION);
      }
      if (accountId == null || !ACCOUNT.matcher(accountId).matches()) {
        throw new IllegalArgumentException("accountId: must be 12 digits");
      }
      TrustedRoot root = trustedRoot != null ? trustedRoot : TrustedRoot.awsNitro();
      KeyStore store =
          directory == null
              ? new MemoryKeyStore()
              : DirectoryKeyStore.open(directory, region, accountId);
      Clock clock = Clock.systemUTC();
      KeyRegistry keys = new KeyRegistry(region, accountId, clock, new SecureRandom(), store);
      HttpServer server;
      try {
        server =
            HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 0);
      } catch (IOException e) {
        throw new UncheckedIOException("KMS endpoint could not bind 127.0.0.1:" + port, e);
      }
      ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
      server.setExecutor(executor);
      server.createContext(
          "/", new KmsHttpHandler(KmsOperations.table(keys, new Recipients(root, clock))));
      server.start();
      KmsEndpoint kms = new KmsEndpoint(server, executor);
      LOG.info(
          "KMS listening on {}, trusting {}, keys {}",
          kms.endpoint,
          root,
          directory == null ? "in memory" : "in " + directory);
      return kms;
    }
  }
}
