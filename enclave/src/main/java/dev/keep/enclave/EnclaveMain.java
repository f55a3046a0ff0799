package dev.keep.enclave;

import dev.keep.enclave.keys.KeyStore;
import dev.keep.enclave.nsm.RandomSources;
import dev.keep.enclave.seal.LocalSealedVault;
import dev.keep.enclave.server.EnclaveMode;
import dev.keep.enclave.server.EnclaveService;
import dev.keep.enclave.server.FrameServer;
import dev.keep.enclave.signing.Signer;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.schema.protocol.FrameCodec;
import dev.keep.schema.transport.Listener;
import dev.keep.schema.transport.TcpTransport;
import dev.keep.schema.transport.VsockTransport;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.CountDownLatch;

/**
 * The enclave program. In a Nitro Enclave it listens on vsock port 5000; in local mode on a
 * loopback TCP port. It prints one line {@code KEEP-ENCLAVE listening <address>} when ready, which
 * the local stack waits for.
 *
 * <pre>
 *   EnclaveMain --vsock-port 5000            # inside a Nitro Enclave
 *   EnclaveMain --local --tcp-port 0         # local mode, any free loopback port, keys in memory
 *   EnclaveMain --local --data-dir ~/.keep   # local mode, keys sealed under a development key
 * </pre>
 */
public final class EnclaveMain {
  public static final String READY_PREFIX = "KEEP-ENCLAVE listening ";

  private EnclaveMain() {}

  public static void main(String[] args) throws Exception {
    boolean local = false;
    Integer tcpPort = null;
    Path dataDir = null;
    int vsockPort = 5000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--local" -> local = true;
        case "--tcp-port" -> tcpPort = parsePort(args, ++i);
        case "--vsock-port" -> vsockPort = parsePort(args, ++i);
        case "--data-dir" -> {
          if (++i >= args.length) {
            usage("--data-dir needs a directory");
          }
          dataDir = Path.of(args[i]);
        }
        default -> usage("unknown argument " + args[i]);
      }
    }
    if (tcpPort != null && !local) {
      usage("--tcp-port is for local mode only; add --local");
    }
    if (dataDir != null && !local) {
      usage("--data-dir is for local mode only: a Nitro enclave keeps keys sealed by KMS, never on a disk");
    }
    EnclaveMode mode = local ? EnclaveMode.LOCAL : EnclaveMode.NITRO;
    SecureRandom random;
    try {
      random = RandomSources.forMode(local);
    } catch (dev.keep.enclave.nsm.NsmException e) {
      System.err.println("keep-enclave: " + e.getMessage() + "; a development enclave runs with --local");
      System.exit(1);
      return;
    }
    LocalSealedVault vault = dataDir == null ? null : LocalSealedVault.open(dataDir, random);
    KeyStore keys = vault == null ? KeyStore.inMemory() : KeyStore.open(vault);
    Listener listener = local ? TcpTransport.listen(tcpPort == null ? 0 : tcpPort) : VsockTransport.listen(vsockPort);
    FrameServer server = start(listener, mode, keys, random);
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (IOException ignored) {
        // Exiting anyway.
      }
      keys.wipeAll();
      if (vault != null) {
        vault.close();
      }
      stop.countDown();
    }));
    System.out.println(READY_PREFIX + server.address());
    System.out.flush();
    stop.await();
  }

  /** Builds and starts an enclave on {@code listener}; used by main, the CLI's local mode and tests. */
  public static FrameServer start(Listener listener, EnclaveMode mode, KeyStore keys, SecureRandom random) {
    EnclaveService service = new EnclaveService(keys, new Signer(new LibSecp256k1Engine(), random), mode);
    return new FrameServer(listener, service, new FrameCodec()).start();
  }

  /** A local enclave with keys in memory only, for tests and the demo. */
  public static FrameServer startLocal(Listener listener) {
    return start(listener, EnclaveMode.LOCAL, KeyStore.inMemory(), new SecureRandom());
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
    System.err.println("usage: EnclaveMain [--vsock-port 5000] | --local [--tcp-port N] [--data-dir DIR]");
    System.exit(2);
  }
}
