package dev.keep.local.bench;

import dev.keep.local.stack.LocalStack;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.SealedBlob;
import dev.keep.schema.tables.Tables;
import dev.keep.worker.enclave.EnclaveClient;
import dev.keep.worker.sealing.DynamoDbSealedKeys;
import dev.keep.worker.sealing.KeySealer;
import dev.keep.worker.sealing.SealedKeyStore;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.model.KeyEncryptionMechanism;
import software.amazon.awssdk.services.kms.model.RecipientInfo;

/**
 * {@code keep bench unseal}: the time from an enclave's start to "all keys unsealed", for a
 * number of keys, on the local stack (the enclave as its own process, the KMS endpoint with
 * Recipient and PCR conditions, the keys table in moto's DynamoDB).
 *
 * <p>For each count it creates keys (each with a policy, so a sealed key and a sealed state) until
 * there are that many, then, {@code runs} times: stops the enclave, starts a new one (a new JVM,
 * a new per-boot RSA key, no keys held), and runs {@link KeySealer#unsealAll()} with a new sealer,
 * which is what a worker does at start. It checks that the enclave then lists every key.
 *
 * <p>The baseline, measured in the same run: one KMS {@code Decrypt} with {@code Recipient} (an
 * attestation document verified, a CMS envelope made), one call at a time, which is the least a
 * key's unseal can cost. The table reports unseal time per key as a ratio to it.
 */
public final class UnsealBench {
  private static final int BASELINE_CALLS = 200;
  private static final String TENANT = "bench";

  private final PrintStream out;
  private final LocalStack.Options options;

  /** On a local stack of its own, without workers. */
  public UnsealBench(PrintStream out) {
    this(out, LocalStack.Options.defaults());
  }

  /** On a local stack started with {@code options}, less its workers. */
  public UnsealBench(PrintStream out, LocalStack.Options options) {
    this.out = out;
    this.options = options.withWorkers(0);
  }

  /** One count's runs. */
  record Row(int keys, List<Duration> boots, List<Duration> unseals, long kmsCalls) {}

  public void run(List<Integer> counts, int runs) throws Exception {
    List<Integer> sorted = counts.stream().sorted().distinct().toList();
    long started = System.nanoTime();
    try (LocalStack stack = LocalStack.start(options)) {
      out.printf(Locale.ROOT, "local stack up in %.1f s; %s%n", seconds(System.nanoTime() - started),
          Runtime.getRuntime().availableProcessors() + " cores");
      List<Row> rows = new ArrayList<>();
      int made = 0;
      for (int keys : sorted) {
        long creating = System.nanoTime();
        for (; made < keys; made++) {
          stack.createKey(String.format(Locale.ROOT, "bench-%05d", made), TENANT);
        }
        out.printf(Locale.ROOT, "%d keys made and sealed (%.1f s)%n", keys, seconds(System.nanoTime() - creating));
        List<Duration> boots = new ArrayList<>();
        List<Duration> unseals = new ArrayList<>();
        long calls = 0;
        for (int run = 0; run < runs; run++) {
          stack.enclaveProcess().close();
          long t0 = System.nanoTime();
          stack.startEnclave();
          long t1 = System.nanoTime();
          KeySealer.UnsealReport report;
          try (EnclaveClient client = new EnclaveClient(stack.enclaveAddress(), 4, Duration.ofSeconds(30))) {
            KeySealer sealer = new KeySealer(client, stack.kms(), stack.kmsKeyArn(),
                new DynamoDbSealedKeys(stack.dynamo(), stack.table(Tables.KEYS)), stack.attestationRoot(), Clock.systemUTC());
            report = sealer.unsealAll();
            long t2 = System.nanoTime();
            boots.add(Duration.ofNanos(t1 - t0));
            unseals.add(Duration.ofNanos(t2 - t1));
            calls = report.kmsCalls();
            EnclaveResponse listed = client.call(new EnclaveRequest.ListKeys());
            int held = listed instanceof EnclaveResponse.KeyList list ? list.keys().size() : -1;
            if (!report.complete() || report.unsealed() != keys || held != keys) {
              throw new IllegalStateException("run " + run + " with " + keys + " keys: unsealed " + report.unsealed()
                  + ", the enclave holds " + held + ", failures " + report.failures());
            }
          }
        }
        rows.add(new Row(keys, boots, unseals, calls));
      }
      Duration decrypt = decryptBaseline(stack);
      print(rows, decrypt, runs);
    }
  }

  /** The median of {@link #BASELINE_CALLS} sequential Decrypts of one stored key, with Recipient. */
  private static Duration decryptBaseline(LocalStack stack) throws Exception {
    SealedKeyStore.Stored stored = new DynamoDbSealedKeys(stack.dynamo(), stack.table(Tables.KEYS)).all().getFirst();
    SealedBlob key = stored.key();
    try (EnclaveClient client = new EnclaveClient(stack.enclaveAddress(), 1, Duration.ofSeconds(30))) {
      byte[] nonce = new byte[32];
      EnclaveResponse answer = client.call(new EnclaveRequest.Attest(java.util.HexFormat.of().formatHex(nonce)));
      if (!(answer instanceof EnclaveResponse.Attestation attestation)) {
        throw new IllegalStateException("the enclave did not attest: " + answer);
      }
      RecipientInfo recipient = RecipientInfo.builder()
          .attestationDocument(SdkBytes.fromByteArray(Base64.getDecoder().decode(attestation.document())))
          .keyEncryptionAlgorithm(KeyEncryptionMechanism.RSAES_OAEP_SHA_256)
          .build();
      Map<String, String> context = Map.of(KeySealer.CONTEXT_KEY_ID, stored.keyId(), KeySealer.CONTEXT_TENANT, TENANT);
      List<Long> nanos = new ArrayList<>();
      for (int i = 0; i < 20 + BASELINE_CALLS; i++) {
        long t0 = System.nanoTime();
        stack.kms().decrypt(b -> b.keyId(key.kmsKeyId()).ciphertextBlob(SdkBytes.fromByteArray(key.dataKeyBytes()))
            .encryptionContext(context).recipient(recipient));
        if (i >= 20) {
          nanos.add(System.nanoTime() - t0);
        }
      }
      return Duration.ofNanos(nanos.stream().sorted().toList().get(nanos.size() / 2));
    }
  }

  private void print(List<Row> rows, Duration decrypt, int runs) {
    out.println();
    out.printf(Locale.ROOT, "baseline, same run: one KMS Decrypt with Recipient, one at a time: %.2f ms (median of %d)%n",
        millis(decrypt), BASELINE_CALLS);
    out.printf(Locale.ROOT, "median of %d runs; unseal runs %d keys at a time%n", runs, KeySealer.UNSEAL_PARALLELISM);
    out.println("| keys | enclave start to ready | ready to all unsealed | start to all unsealed | KMS calls | per key "
        + "| per key / one Decrypt |");
    out.println("|---|---|---|---|---|---|---|");
    for (Row r : rows) {
      Duration boot = median(r.boots());
      Duration unseal = median(r.unseals());
      double perKey = millis(unseal) / r.keys();
      out.printf(Locale.ROOT, "| %,d | %.0f ms | %.0f ms | %.0f ms | %,d (%.2f per key) | %.2f ms | %.2f× |%n",
          r.keys(), millis(boot), millis(unseal), millis(boot.plus(unseal)), r.kmsCalls(),
          (double) r.kmsCalls() / r.keys(), perKey, perKey / millis(decrypt));
    }
    out.println("(few keys: the time is mostly fixed cost, the first attestation and a new JVM's first calls;"
        + " many keys: the per-key cost, where all of this shares the machine's cores)");
  }

  private static Duration median(List<Duration> values) {
    return values.stream().sorted().toList().get(values.size() / 2);
  }

  private static double millis(Duration d) {
    return d.toNanos() / 1e6;
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
