package dev.keep.enclave.bench;

import dev.keep.enclave.keys.KeyStore;
import dev.keep.enclave.seal.HostShelf;
import dev.keep.enclave.seal.KmsSealedVault;
import dev.keep.enclave.seal.RecipientKey;
import dev.keep.enclave.server.EnclaveMode;
import dev.keep.enclave.server.EnclaveService;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.enclave.signing.Signer;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.RequestFrame;
import dev.keep.schema.protocol.ResponseFrame;
import dev.keep.schema.protocol.SealedBlob;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cost of one charged signature, with its state sealed (issue #15): a {@code sign_message}
 * frame that presents the key's stored state, decided under a policy with count and velocity
 * windows, charged, and the new state sealed with AES-256-GCM, after {@code history} earlier
 * charges within the windows. With a list of every charge this grew with the history; with bucket
 * counters it must not. The clock is simulated: the history is a week of charges, made in setup.
 *
 * <pre>./mvnw -pl enclave -am -Pbench clean verify -DskipTests -Djmh.args="-f 1 -wi 3 -w 2s -i 5 -r 2s ChargeBenchmark"</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ChargeBenchmark {
  static final String POLICY = """
      {"version": 1, "rule": {"id": "root", "all": [
        {"id": "kinds", "type": "allowed_kinds", "kinds": ["message"]},
        {"id": "minute", "type": "max_count", "window": "1m", "count": 1000000000},
        {"id": "hour", "type": "max_count", "window": "1h", "count": 1000000000},
        {"id": "day", "type": "velocity", "window": "24h", "sats": 2100000000000000},
        {"id": "week", "type": "max_count", "window": "7d", "count": 1000000000}]}}
      """;

  @Param({"10", "1000", "100000"})
  public int history;

  /** Simulated time in milliseconds since the epoch. */
  private final AtomicLong millis = new AtomicLong(Instant.parse("2026-12-01T00:00:00Z").toEpochMilli());
  private EnclaveService enclave;
  private SealedBlob stored;
  private long job;
  /** The sealed state's size after the history, for the report. */
  public static volatile int stateBytes;

  private final Clock clock = new Clock() {
    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }
  };

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    RecipientKey recipient = RecipientKey.generate(new SecureRandom());
    enclave = new EnclaveService(KeyStore.open(new KmsSealedVault(recipient, new SecureRandom())),
        new Signer(new LibSecp256k1Engine(), new SecureRandom()), EnclaveMode.LOCAL, clock);
    HostShelf host = new HostShelf();
    host.generate(enclave, recipient,
        new EnclaveRequest.GenerateKey("k", new EnclaveRequest.KeySpec("single", "testnet", false), POLICY));
    stored = host.states.get("k");
    // A week of history, evenly spread, ending now.
    long step = Math.max(1, 7L * 24 * 3600 * 1000 / Math.max(1, history));
    millis.addAndGet(-step * history);
    for (int i = 0; i < history; i++) {
      sign();
      millis.addAndGet(step);
    }
    stateBytes = stored.ciphertext().length();
  }

  /** Moves the simulated clock on. */
  void advanceSeconds(long seconds) {
    millis.addAndGet(seconds * 1000);
  }

  /** One charged signature: presented state in, new sealed state out, as the host stores it. */
  @Benchmark
  public SealedBlob chargedSignature() {
    return sign();
  }

  private SealedBlob sign() {
    ResponseFrame frame = enclave.handle(RequestFrame.of("r",
        new EnclaveRequest.SignMessage("job-" + job++, "k", "68656c6c6f", "bip340", null), stored));
    if (!(frame.body() instanceof EnclaveResponse.SchnorrSigned)) {
      throw new IllegalStateException("not signed: " + frame.body());
    }
    stored = frame.sealed().getFirst();
    return stored;
  }
}
