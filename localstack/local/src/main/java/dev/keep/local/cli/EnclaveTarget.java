package dev.keep.local.cli;

import dev.keep.enclave.EnclaveMain;
import dev.keep.enclave.keys.KeyStore;
import dev.keep.enclave.nsm.RandomSources;
import dev.keep.enclave.seal.LocalSealedVault;
import dev.keep.enclave.seal.VaultException;
import dev.keep.enclave.server.EnclaveMode;
import dev.keep.enclave.server.FrameServer;
import dev.keep.schema.transport.TcpTransport;
import dev.keep.worker.enclave.EnclaveAddress;
import dev.keep.worker.enclave.EnclaveClient;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;

/**
 * The enclave a {@code keep enclave} command talks to: a Nitro enclave over vsock ({@code --cid}),
 * or the local development enclave ({@code --local}). The local enclave runs inside the command's
 * own process, on a loopback port, over the same frame protocol, with its keys sealed in a data
 * directory, so consecutive commands see the same keys.
 */
sealed interface EnclaveTarget extends AutoCloseable {

  EnclaveClient client();

  /** For people: where the enclave is. */
  String describe();

  @Override
  void close();

  record Vsock(int cid, int port, EnclaveClient client) implements EnclaveTarget {
    static Vsock connect(int cid, int port) {
      return new Vsock(cid, port, new EnclaveClient(new EnclaveAddress.Vsock(cid, port), 1, Duration.ofSeconds(30)));
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
    private final LocalSealedVault vault;
    private final KeyStore keys;
    private final FrameServer server;
    private final EnclaveClient client;

    private Local(LocalSealedVault vault, KeyStore keys, FrameServer server, EnclaveClient client) {
      this.vault = vault;
      this.keys = keys;
      this.server = server;
      this.client = client;
    }

    static Local start(Path dataDir) throws VaultException, IOException {
      SecureRandom random = RandomSources.forMode(true);
      LocalSealedVault vault = LocalSealedVault.open(dataDir, random);
      try {
        KeyStore keys = KeyStore.open(vault);
        TcpTransport.TcpListener listener = TcpTransport.listen(0);
        FrameServer server = EnclaveMain.start(listener, EnclaveMode.LOCAL, keys, random);
        EnclaveClient client =
            new EnclaveClient(new EnclaveAddress.LoopbackTcp(listener.port()), 1, Duration.ofSeconds(30));
        return new Local(vault, keys, server, client);
      } catch (VaultException | IOException | RuntimeException e) {
        vault.close();
        throw e;
      }
    }

    @Override
    public EnclaveClient client() {
      return client;
    }

    @Override
    public String describe() {
      return "the local enclave (" + vault.directory() + ")";
    }

    @Override
    public void close() {
      client.close();
      try {
        server.close();
      } catch (IOException ignored) {
        // the process is ending
      }
      keys.wipeAll();
      vault.close();
    }
  }
}
