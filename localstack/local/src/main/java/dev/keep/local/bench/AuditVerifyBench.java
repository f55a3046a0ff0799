package dev.keep.local.bench;

import dev.keep.enclave.attestation.AuditKey;
import dev.keep.enclave.attestation.LocalNitroAuthority;
import dev.keep.enclave.attestation.LocalNsm;
import dev.keep.enclave.audit.ReceiptIssuer;
import dev.keep.enclave.nsm.NsmClient;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.enclave.signing.Signer;
import dev.keep.local.audit.AuditVerifier;
import dev.keep.local.verify.Bip340Verifier;
import dev.keep.schema.attestation.AttestationVerifier;
import dev.keep.schema.attestation.KeepUserData;
import dev.keep.schema.attestation.Pcr;
import dev.keep.schema.attestation.PcrPolicy;
import dev.keep.schema.attestation.PcrSet;
import dev.keep.schema.attestation.TrustedRoot;
import dev.keep.schema.audit.ExportLine;
import dev.keep.schema.audit.Hashes;
import dev.keep.schema.audit.SignedReceipt;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.encoding.Json;
import java.io.BufferedWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code keep bench audit-verify}: how long {@link AuditVerifier} takes over an export of {@code n}
 * receipts, against the least such a check can cost, measured in the same run: {@code n} BIP-340
 * verifications alone with the same verifier. The export is made by the enclave's own parts (its
 * receipt issuer and audit key, a document from the software NSM): one boot, one tenant (so one
 * chain), a checkpoint every 1,000 receipts and one at the end, as a worker stopping asks for.
 */
public final class AuditVerifyBench {
  private final PrintStream out;

  public AuditVerifyBench(PrintStream out) {
    this.out = out;
  }

  /** Makes the export at {@code file} and returns the PCRs and root it verifies under. */
  public record Made(TrustedRoot root, PcrSet pcrs, List<byte[][]> signatures) {}

  public Made make(Path file, int receipts) throws Exception {
    return make(file, receipts, 1);
  }

  /**
   * As {@link #make(Path, int)}, the receipts dealt in turn to {@code tenants} tenants
   * ({@code bench-1}, {@code bench-2}, …), each its own chain in the one boot, interleaved in the file
   * as they were issued.
   */
  public Made make(Path file, int receipts, int tenants) throws Exception {
    if (tenants < 1) {
      throw new IllegalArgumentException("tenants: at least 1");
    }
    SecureRandom random = new SecureRandom();
    Signer signer = new Signer(new LibSecp256k1Engine(), random);
    LocalNitroAuthority authority = LocalNitroAuthority.generate(random, Instant.now());
    SortedMap<Integer, byte[]> pcrs = new TreeMap<>();
    for (int i = 0; i < 3; i++) {
      byte[] pcr = new byte[Pcr.LENGTH];
      random.nextBytes(pcr);
      pcrs.put(i, pcr);
    }
    List<byte[][]> signatures = new ArrayList<>();
    try (AuditKey key = AuditKey.generate(signer); BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      LocalNsm nsm = new LocalNsm(authority, "i-0123456789abcdef0-enc0123456789abcdef", pcrs, random, Clock.systemUTC());
      byte[] document = new NsmClient(nsm).attestation(KeepUserData.of(key.publicKey().toBytes(), List.of()), null, null);
      String bootId = Hex.encode(Hashes.sha256(document));
      w.write(Json.write((ExportLine) new ExportLine.Attestation(bootId,
          java.util.Base64.getEncoder().encodeToString(document), key.publicKey().toHex(), List.of())));
      w.newLine();
      ReceiptIssuer issuer = new ReceiptIssuer(key, signer, bootId, Clock.systemUTC(), 16, 1_000, Duration.ofDays(1));
      List<String> checkpoints = new ArrayList<>();
      for (int i = 1; i <= receipts; i++) {
        String tenant = tenants == 1 ? "bench" : "bench-" + (1 + (i - 1) % tenants);
        SignedReceipt r = issuer.issue(new ReceiptIssuer.Decision("bench-job-" + i, tenant, "bench-key", "message",
            Hex.encode(Hashes.sha256(("request " + i).getBytes(StandardCharsets.UTF_8))), "SIGNED", null, null, 1L,
            "44".repeat(32), Hex.encode(Hashes.sha256(("result " + i).getBytes(StandardCharsets.UTF_8)))));
        w.write(Json.write((ExportLine) ExportLine.ReceiptLine.of(r)));
        w.newLine();
        signatures.add(new byte[][] {key.publicKey().toBytes(), r.receipt().signingHash(), Hex.decode("s", r.signature())});
        for (var due : issuer.dueCheckpoints()) {
          checkpoints.add(Json.write((ExportLine) ExportLine.CheckpointLine.of(due)));
        }
      }
      for (var last : issuer.checkpointAll()) {
        checkpoints.add(Json.write((ExportLine) ExportLine.CheckpointLine.of(last)));
      }
      for (String c : checkpoints) {
        w.write(c);
        w.newLine();
      }
    }
    return new Made(TrustedRoot.local(authority.root()), PcrSet.of(Pcr.of(pcrs.get(0)), Pcr.of(pcrs.get(1)),
        Pcr.of(pcrs.get(2))), signatures);
  }

  public void run(int receipts, int runs) throws Exception {
    Path file = Files.createTempFile("keep-audit-bench-", ".jsonl");
    try {
      long made = System.nanoTime();
      Made m = make(file, receipts);
      out.printf(Locale.ROOT,
          "export of %d receipts (one boot, one tenant, a checkpoint every 1,000): %,d bytes, made in %.2f s%n",
          receipts, Files.size(file), (System.nanoTime() - made) / 1e9);
      AuditVerifier verifier = new AuditVerifier(AttestationVerifier.builder().trustedRoot(m.root())
          .pcrs(PcrPolicy.anyOf(m.pcrs())).build());
      double[] whole = new double[runs];
      double[] bare = new double[runs];
      for (int r = 0; r < runs; r++) {
        long t0 = System.nanoTime();
        AuditVerifier.Summary summary = verifier.verify(file);
        whole[r] = (System.nanoTime() - t0) / 1e9;
        if (summary.receipts() != receipts) {
          throw new IllegalStateException("verified " + summary.receipts() + " receipts, expected " + receipts);
        }
        long t1 = System.nanoTime();
        int ok = 0;
        for (byte[][] s : m.signatures()) {
          ok += Bip340Verifier.verify(s[0], s[1], s[2]) ? 1 : 0;
        }
        bare[r] = (System.nanoTime() - t1) / 1e9;
        if (ok != receipts) {
          throw new IllegalStateException("a signature did not verify");
        }
        out.printf(Locale.ROOT, "run %d: keep's verifier %.2f s; %d BIP-340 verifications alone %.2f s; ratio %.2f%n",
            r + 1, whole[r], receipts, bare[r], whole[r] / bare[r]);
      }
      Arrays.sort(whole);
      Arrays.sort(bare);
      out.printf(Locale.ROOT, "median: %.2f s against %.2f s for the signatures alone (%.2fx)%n", whole[runs / 2],
          bare[runs / 2], whole[runs / 2] / bare[runs / 2]);
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
