package dev.keep.enclave.bench;

import dev.keep.enclave.EnclaveMain;
import dev.keep.enclave.keys.SecretKey;
import dev.keep.enclave.server.FrameServer;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.enclave.signing.Message;
import dev.keep.enclave.signing.SchnorrSignature;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.FrameCodec;
import dev.keep.schema.protocol.ProtocolCodec;
import dev.keep.schema.protocol.RequestFrame;
import dev.keep.schema.transport.Connection;
import dev.keep.schema.transport.TcpTransport;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The enclave's signing round trip over loopback TCP (the frame protocol, the frame server, the
 * service with its job memory, a BIP-340 signature over a 64-byte message with verification),
 * with 1 and with 8 connections each waiting for its answer before the next request, beside the
 * bare engine signing the same message in the same run.
 *
 * <pre>./mvnw -pl enclave -am -Pbench clean verify -DskipTests -Djmh.args="-f 1 -wi 3 -i 5 RoundTripBenchmark"</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class RoundTripBenchmark {
  static final String MESSAGE = "6b".repeat(64);

  @State(Scope.Benchmark)
  public static class Enclave {
    FrameServer server;
    int port;

    @Setup(Level.Trial)
    public void start() throws Exception {
      TcpTransport.TcpListener listener = TcpTransport.listen(0);
      port = listener.port();
      server = EnclaveMain.startLocal(listener);
      try (Client c = new Client(port)) {
        // Every kind, no limit: the round trip is measured, not the policy (PolicyBenchmark is).
        c.call(new EnclaveRequest.GenerateKey("bench", EnclaveRequest.KeySpec.DEFAULT,
            "{\"version\":1,\"rule\":{\"id\":\"bench-any\","
                + "\"type\":\"allowed_kinds\",\"kinds\":[\"message\"]}}"));
      }
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
      server.close();
    }
  }

  /** One connection per benchmark thread; each request is a new job id. */
  @State(Scope.Thread)
  public static class Client implements AutoCloseable {
    private final FrameCodec codec = new FrameCodec();
    private Connection connection;
    private final String prefix = UUID.randomUUID().toString().substring(0, 8) + "-";
    private long next;

    public Client() {}

    Client(int port) throws IOException {
      connection = TcpTransport.connect(port);
    }

    @Setup(Level.Trial)
    public void connect(Enclave enclave) throws IOException {
      connection = TcpTransport.connect(enclave.port);
    }

    EnclaveResponse call(EnclaveRequest request) throws Exception {
      codec.write(connection.output(), ProtocolCodec.encode(RequestFrame.of("1", request)));
      return ProtocolCodec.decodeResponse(codec.read(connection.input()).orElseThrow()).body();
    }

    EnclaveResponse sign() throws Exception {
      EnclaveResponse response = call(new EnclaveRequest.SignMessage(prefix + next++, "bench", MESSAGE, "bip340", null));
      if (!(response instanceof EnclaveResponse.SchnorrSigned)) {
        throw new IllegalStateException("enclave answered " + response);
      }
      return response;
    }

    @TearDown(Level.Trial)
    @Override
    public void close() throws IOException {
      connection.close();
    }
  }

  /** The same signature without the enclave around it. */
  @State(Scope.Thread)
  public static class Bare {
    final LibSecp256k1Engine engine = new LibSecp256k1Engine();
    final SecureRandom random = new SecureRandom();
    final Message message = Message.of(Hex.decode("m", MESSAGE));
    final byte[] aux = new byte[32];
    SecretKey key;
    dev.keep.enclave.keys.PublicKey publicKey;

    @Setup(Level.Trial)
    public void setup() {
      byte[] sk = new byte[32];
      do {
        random.nextBytes(sk);
      } while (!engine.isValidSecret(sk));
      key = SecretKey.adopt(sk);
      publicKey = engine.publicKey(key);
    }

    SchnorrSignature sign() {
      random.nextBytes(aux);
      return engine.signSchnorr(message, key, publicKey, aux);
    }
  }

  @Benchmark
  @Threads(1)
  public EnclaveResponse roundTrip_1connection(Client client) throws Exception {
    return client.sign();
  }

  @Benchmark
  @Threads(8)
  public EnclaveResponse roundTrip_8connections(Client client) throws Exception {
    return client.sign();
  }

  @Benchmark
  @Threads(1)
  public SchnorrSignature bareSign_1thread(Bare bare) {
    return bare.sign();
  }

  @Benchmark
  @Threads(8)
  public SchnorrSignature bareSign_8threads(Bare bare) {
    return bare.sign();
  }
}
