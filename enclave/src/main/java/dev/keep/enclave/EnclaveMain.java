package dev.keep.enclave;

import dev.keep.enclave.attestation.Attester;
import dev.keep.enclave.attestation.AuditKey;
import dev.keep.enclave.attestation.LocalNitroAuthority;
import dev.keep.enclave.attestation.LocalNsm;
import dev.keep.enclave.attestation.LocalPcrs;
import dev.keep.enclave.audit.ReceiptIssuer;
import dev.keep.enclave.keys.KeyStore;
import dev.keep.enclave.nsm.NsmClient;
import dev.keep.enclave.nsm.NsmException;
import dev.keep.enclave.nsm.NsmSecureRandom;
import dev.keep.enclave.nsm.RandomSources;
import dev.keep.enclave.seal.KmsSealedVault;
import dev.keep.enclave.seal.RecipientKey;
import dev.keep.enclave.seal.VaultException;
import dev.keep.enclave.server.EnclaveMode;
import dev.keep.enclave.server.EnclaveService;
import dev.keep.enclave.server.FrameServer;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.enclave.signing.Signer;
import dev.keep.schema.protocol.FrameCodec;
import dev.keep.schema.transport.Listener;
import dev.keep.schema.transport.TcpTransport;
import dev.keep.schema.transport.VsockTransport;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.SortedMap;
import java.util.concurrent.CountDownLatch;

/**
 * The enclave program. In a Nitro Enclave it listens on vsock port 5000 and attests with {@code
 * /dev/nsm}; in local mode it listens on a loopback TCP port and attests with a software NSM whose
 * root lives in {@code --nitro-dir}. It prints one line {@code KEEP-ENCLAVE listening <address>}
 * when ready, which the local stack waits for.
 *
 * <p>Either way it holds no key at start: the host unseals them into it through KMS (see {@link
 * KmsSealedVault}), and it has no disk of its own.
 *
 * <pre>
 *   EnclaveMain --vsock-port 5000                              # inside a Nitro Enclave
 *   EnclaveMain --local --tcp-port 0 --nitro-dir ~/.keep/nitro # local mode
 *   EnclaveMain --local --image other.jar                      # local mode, measuring another build
 *   EnclaveMain --local --debug-mode                           # local mode, all-zero PCRs
 *   EnclaveMain --checkpoint-every 1000 --checkpoint-seconds 300 # when audit checkpoints are due
 * </pre>
 */
public final class EnclaveMain {
  public static final String READY_PREFIX = "KEEP-ENCLAVE listening ";

  private EnclaveMain() {}

  public static void main(String[] args) throws Exception {
    boolean local = false;
    boolean debug = false;
    Integer tcpPort = null;
    Path nitroDir = null;
    Path image = null;
    int vsockPort = 5000;
    int checkpointEvery = ReceiptIssuer.DEFAULT_CHECKPOINT_EVERY;
    long checkpointSeconds = ReceiptIssuer.DEFAULT_CHECKPOINT_AFTER.toSeconds();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--local" -> local = true;
        case "--debug-mode" -> debug = true;
        case "--tcp-port" -> tcpPort = parsePort(args, ++i);
        case "--vsock-port" -> vsockPort = parsePort(args, ++i);
        case "--nitro-dir" -> nitroDir = Path.of(value(args, ++i, "--nitro-dir needs a directory"));
        case "--image" -> image = Path.of(value(args, ++i, "--image needs a jar or directory"));
        case "--checkpoint-every" -> checkpointEvery = positive(args, ++i);
        case "--checkpoint-seconds" -> checkpointSeconds = positive(args, ++i);
        default -> usage("unknown argument " + args[i]);
      }
    }
    if (!local && (tcpPort != null || nitroDir != null || image != null || debug)) {
      usage("--tcp-port, --nitro-dir, --image and --debug-mode are for local mode only; add --local "
          + "(a Nitro enclave's debug mode is chosen by nitro-cli run-enclave --debug-mode)");
    }
    Enclave enclave;
    try {
      enclave = local ? local(nitroDir, image, debug) : nitro();
    } catch (NsmException e) {
      System.err.println("keep-enclave: " + e.getMessage() + "; a development enclave runs with --local");
      System.exit(1);
      return;
    }
    Listener listener = local ? TcpTransport.listen(tcpPort == null ? 0 : tcpPort) : VsockTransport.listen(vsockPort);
    FrameServer server = enclave.serve(listener,
        new ReceiptIssuer.Schedule(checkpointEvery, java.time.Duration.ofSeconds(checkpointSeconds)));
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (IOException ignored) {
        // Exiting anyway.
      }
      enclave.keys().wipeAll();
      enclave.attester().close();
      stop.countDown();
    }));
    System.out.println(READY_PREFIX + server.address());
    System.out.flush();
    stop.await();
  }

  /** The parts of a running enclave: its keys (sealed through KMS), its NSM and its mode. */
  public record Enclave(KeyStore keys, SecureRandom random, Attester attester, EnclaveMode mode) {
    public FrameServer serve(Listener listener) {
      return serve(listener, ReceiptIssuer.Schedule.DEFAULT);
    }

    /** Serves with audit checkpoints due on {@code checkpoints}. */
    public FrameServer serve(Listener listener, ReceiptIssuer.Schedule checkpoints) {
      EnclaveService service = new EnclaveService(keys, new Signer(new LibSecp256k1Engine(), random), mode,
          Clock.systemUTC(), attester, checkpoints);
      return new FrameServer(listener, service, new FrameCodec()).start();
    }
  }

  /** Inside a Nitro Enclave: /dev/nsm for randomness and attestation, opened for the process's life. */
  public static Enclave nitro() throws NsmException {
    NsmClient nsm = RandomSources.openNsm();
    return withNsm(nsm, new NsmSecureRandom(nsm), EnclaveMode.NITRO);
  }

  /**
   * Local mode: the OS's randomness and a software NSM. Its root is kept in {@code nitroDir} (so a
   * KMS endpoint can be told to trust it), or made for this process when null. PCRs measure {@code
   * image}, or this enclave's own jar or classes directory when null; all zero in debug mode.
   */
  public static Enclave local(Path nitroDir, Path image, boolean debugMode) throws IOException {
    SecureRandom random = new SecureRandom();
    try {
      LocalNitroAuthority authority = nitroDir == null
          ? LocalNitroAuthority.generate(random, java.time.Instant.now())
          : LocalNitroAuthority.openOrCreate(nitroDir, random, java.time.Instant.now());
      SortedMap<Integer, byte[]> pcrs = debugMode
          ? LocalPcrs.debug()
          : LocalPcrs.ofBuild(image != null ? image : ownCode(), Path.of(System.getProperty("java.home")));
      LocalNsm nsm = new LocalNsm(authority, "keep-local-enclave", pcrs, random, Clock.systemUTC());
      return withNsm(new NsmClient(nsm), random, EnclaveMode.LOCAL);
    } catch (GeneralSecurityException e) {
      throw new IOException("local NSM: " + e.getMessage(), e);
    }
  }

  private static Enclave withNsm(NsmClient nsm, SecureRandom random, EnclaveMode mode) {
    RecipientKey recipient = RecipientKey.generate(random);
    KeyStore keys;
    try {
      keys = KeyStore.open(new KmsSealedVault(recipient, random));
    } catch (VaultException e) {
      throw new IllegalStateException("a KMS-sealed vault holds nothing at start", e);
    }
    AuditKey auditKey = AuditKey.generate(new Signer(new LibSecp256k1Engine(), random));
    return new Enclave(keys, random, new Attester(nsm, recipient, auditKey, mode.wireName()), mode);
  }

  /** Where this class was loaded from: the enclave jar, or target/classes in a development build. */
  private static Path ownCode() throws IOException {
    try {
      return Path.of(EnclaveMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | RuntimeException e) {
      throw new IOException("cannot tell where the enclave's code was loaded from: " + e.getMessage(), e);
    }
  }

  /** Builds and starts an enclave on {@code listener} with keys in memory only and no NSM; for tests. */
  public static FrameServer start(Listener listener, EnclaveMode mode, KeyStore keys, SecureRandom random) {
    EnclaveService service = new EnclaveService(keys, new Signer(new LibSecp256k1Engine(), random), mode);
    return new FrameServer(listener, service, new FrameCodec()).start();
  }

  /** A local enclave with a software NSM and KMS sealing, for tests and the demo. */
  public static FrameServer startLocal(Listener listener) {
    try {
      return local(null, null, false).serve(listener);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String value(String[] args, int i, String problem) {
    if (i >= args.length) {
      usage(problem);
    }
    return args[i];
  }

  private static int positive(String[] args, int i) {
    if (i >= args.length) {
      usage(args[i - 1] + " needs a number");
    }
    try {
      int n = Integer.parseInt(args[i]);
      if (n < 1) {
        usage(args[i - 1] + ": must be at least 1, got " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      usage(args[i - 1] + ": not a number: " + args[i]);
      return -1;
    }
  }

  private static int parsePort(String[] args, int i) {
    if (i >= args.length) {
      usage(args[i - 1] + " needs a port number");
    }
    try {
      int port = Integer.parseInt(args[i]);
      if (port < 0 || port > 65535) {
        usage(args[i - 1] + ": port must be 0..65535, got " + port);
      }
      return port;
    } catch (NumberFormatException e) {
      usage(args[i - 1] + ": not a number: " + args[i]);
      return -1;
    }
  }

  private static void usage(String problem) {
    System.err.println("keep-enclave: " + problem);
    System.err.println("usage: EnclaveMain [--vsock-port 5000] | --local [--tcp-port N] [--nitro-dir DIR] "
        + "[--image JAR|DIR] [--debug-mode]; either way [--checkpoint-every RECEIPTS] [--checkpoint-seconds S]");
    System.exit(2);
  }
}
