package dev.keep.local.cli;

import dev.keep.emulators.kms.KmsEndpoint;
import dev.keep.enclave.EnclaveMain;
import dev.keep.enclave.attestation.LocalNitroAuthority;
import dev.keep.enclave.server.FrameServer;
import dev.keep.local.stack.LocalKms;
import dev.keep.schema.attestation.TrustedRoot;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.transport.TcpTransport;
import dev.keep.worker.enclave.EnclaveAddress;
import dev.keep.worker.enclave.EnclaveClient;
import dev.keep.worker.enclave.EnclaveUnavailableException;
import dev.keep.worker.sealing.DirectorySealedKeys;
import dev.keep.worker.sealing.DynamoDbSealedKeys;
import dev.keep.worker.sealing.KeySealer;
import dev.keep.worker.sealing.SealingFailure;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The enclave a {@code keep enclave} command talks to: a Nitro enclave over vsock ({@code --cid}),
 * or the local development enclave ({@code --local}). Either way, a command that makes a key or
 * changes what is sealed goes through {@link KeySealer}: KMS with the enclave's attestation as
 * {@code Recipient}, and the sealed blobs stored before the command reports success.
 *
 * <p>The local enclave runs inside the command's own process, on a loopback port, with a software
 * NSM whose root is in {@code <data-dir>/nitro}, the KMS endpoint in-process with its keys in
 * {@code <data-dir>/kms}, and the sealed blobs in {@code <data-dir>/sealed}. Each command unseals
 * every key first, as a worker does at start, so consecutive commands see the same keys.
 */
sealed interface EnclaveTarget extends AutoCloseable {

  EnclaveClient client();

  /** For people: where the enclave is. */
  String describe();

  /** Sends {@code request}, through KMS for a new key, storing whatever the enclave sealed. */
  EnclaveResponse send(EnclaveRequest request) throws EnclaveUnavailableException, SealingFailure;

  @Override
  void close();

  /** Routes key creation through the sealer; every other request stores what it sealed. */
  static EnclaveResponse send(KeySealer sealer, EnclaveRequest request) throws SealingFailure {
    return switch (request) {
      case EnclaveRequest.GenerateKey g -> sealer.generate(g, g.tenant());
      case EnclaveRequest.ImportKey i -> sealer.importKey(i, i.tenant());
      default -> sealer.call(request);
    };
  }

  /**
   * A Nitro enclave. Sealing needs {@code KEEP_KMS_KEY_ID} and the {@code keys} table ({@code
   * KEEP_KEYS_TABLE}, default {@code keys}), with AWS settings from the environment; commands that
   * seal nothing (status, list-keys, public-key, sign without a policy charge) need neither.
   */
  final class Vsock implements EnclaveTarget {
    private final int cid;
    private final int port;
    private final EnclaveClient client;
    private KeySealer sealer;

    private Vsock(int cid, int port, EnclaveClient client) {
      this.cid = cid;
      this.port = port;
      this.client = client;
    }

    static Vsock connect(int cid, int port) {
      return new Vsock(cid, port, new EnclaveClient(new EnclaveAddress.Vsock(cid, port), 1, Duration.ofSeconds(30)));
    }

    @Override
    public EnclaveClient client() {
      return client;
    }

    @Override
    public EnclaveResponse send(EnclaveRequest request) throws EnclaveUnavailableException, SealingFailure {
      if (request instanceof EnclaveRequest.Health || request instanceof EnclaveRequest.ListKeys
          || request instanceof EnclaveRequest.GetPublicKey || request instanceof EnclaveRequest.Attest
          || request instanceof EnclaveRequest.GetPolicy || request instanceof EnclaveRequest.EvaluatePolicy) {
        return client.call(request);
      }
      return EnclaveTarget.send(sealer(), request);
    }

    private KeySealer sealer() throws SealingFailure {
      if (sealer == null) {
        String kmsKey = System.getenv("KEEP_KMS_KEY_ID");
        if (kmsKey == null || kmsKey.isBlank()) {
          throw new SealingFailure("KEEP_KMS_KEY_ID is not set: a Nitro enclave's keys are sealed with KMS; name the "
              + "key (and KEEP_KEYS_TABLE if it is not 'keys')", null);
        }
        String table = System.getenv().getOrDefault("KEEP_KEYS_TABLE", "keys");
        sealer = new KeySealer(client, KmsClient.create(), kmsKey, new DynamoDbSealedKeys(DynamoDbClient.create(), table),
            TrustedRoot.awsNitro(), Clock.systemUTC());
      }
      return sealer;
    }

    @Override
    public String describe() {
      return "vsock cid " + cid + " port " + port;
    }

    @Override
    public void close() {
      client.close();
    }
  }

  final class Local implements EnclaveTarget {
    /** The local KMS key, made on first use; its policy requires a Recipient for data keys. */
    static final String KMS_ALIAS = "alias/keep-local-enclave";

    private final Path dataDir;
    private final EnclaveMain.Enclave enclave;
    private final FrameServer server;
    private final EnclaveClient client;
    private final KmsEndpoint kmsEndpoint;
    private final KmsClient kms;
    private final KeySealer sealer;
    private final KeySealer.UnsealReport unsealed;

    private Local(Path dataDir, EnclaveMain.Enclave enclave, FrameServer server, EnclaveClient client,
        KmsEndpoint kmsEndpoint, KmsClient kms, KeySealer sealer, KeySealer.UnsealReport unsealed) {
      this.dataDir = dataDir;
      this.enclave = enclave;
      this.server = server;
      this.client = client;
      this.kmsEndpoint = kmsEndpoint;
      this.kms = kms;
      this.sealer = sealer;
      this.unsealed = unsealed;
    }

    static Local start(Path dataDir) throws IOException, SealingFailure {
      Files.createDirectories(dataDir);
      Path nitro = dataDir.resolve("nitro");
      EnclaveMain.Enclave enclave = EnclaveMain.local(nitro, null, false);
      TrustedRoot root;
      try {
        root = TrustedRoot.local(LocalNitroAuthority.readRoot(nitro));
      } catch (java.security.GeneralSecurityException e) {
        throw new IOException("the local NSM root in " + nitro + " does not read: " + e.getMessage(), e);
      }
      TcpTransport.TcpListener listener = TcpTransport.listen(0);
      FrameServer server = enclave.serve(listener);
      EnclaveClient client = new EnclaveClient(new EnclaveAddress.LoopbackTcp(listener.port()), 2, Duration.ofSeconds(30));
      KmsEndpoint kmsEndpoint = LocalKms.start(root, dataDir.resolve("kms"));
      KmsClient kms = LocalKms.client(kmsEndpoint.endpoint());
      try {
        String keyArn = LocalKms.keyFor(kms, KMS_ALIAS, LocalKms.ANY_ATTESTED_ENCLAVE_POLICY);
        KeySealer sealer = new KeySealer(client, kms, keyArn, new DirectorySealedKeys(dataDir.resolve("sealed")), root,
            Clock.systemUTC());
        KeySealer.UnsealReport report = sealer.unsealAll();
        if (!report.complete()) {
          throw new SealingFailure("local keys did not unseal: " + report.failures(), null);
        }
        return new Local(dataDir, enclave, server, client, kmsEndpoint, kms, sealer, report);
      } catch (SealingFailure | RuntimeException e) {
        kms.close();
        kmsEndpoint.close();
        client.close();
        server.close();
        throw e;
      }
    }

    @Override
    public EnclaveClient client() {
      return client;
    }

    @Override
    public EnclaveResponse send(EnclaveRequest request) throws SealingFailure {
      return EnclaveTarget.send(sealer, request);
    }

    @Override
    public String describe() {
      int keys = unsealed.unsealed();
      return "the local enclave (" + dataDir + ", " + keys + (keys == 1 ? " key" : " keys")
          + " unsealed through the local KMS)";
    }

    @Override
    public void close() {
      client.close();
      try {
        server.close();
      } catch (IOException ignored) {
        // the process is ending
      }
      enclave.keys().wipeAll();
      enclave.attester().close();
      kms.close();
      kmsEndpoint.close();
    }
  }
}
