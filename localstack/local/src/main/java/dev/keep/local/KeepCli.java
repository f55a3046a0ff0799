package dev.keep.local;

import dev.keep.api.auth.ApiKeys;
import dev.keep.emulators.dynamodb.MotoInstaller;
import dev.keep.emulators.dynamodb.MotoNotFoundException;
import dev.keep.local.bench.UnsealBench;
import dev.keep.local.cli.AttestationCli;
import dev.keep.local.cli.EnclaveAttestationCli;
import dev.keep.local.cli.EnclaveCli;
import dev.keep.local.cli.KmsPolicyCli;
import dev.keep.local.demo.Demo;
import dev.keep.local.stack.LocalStack;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.protocol.EnclaveResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code keep} command for the local stack:
 *
 * <pre>
 *   keep demo [--jobs N] [--workers W] [--hosts H]
 *   keep local up [--port 8080] [--api-key KEY] [--hosts H]
 *   keep bench unseal [--keys 1,100,1000] [--runs 3]
 *   keep bench audit-verify [--receipts 10000] [--runs 3]
 *   keep enclave COMMAND (--cid N | --local) ...     see {@link EnclaveCli}
 *   keep enclave verify | measure ...               see {@link EnclaveAttestationCli}
 *   keep attestation verify --document FILE ...     see {@link AttestationCli}
 *   keep audit verify --export FILE ...             see {@link dev.keep.local.cli.AuditCli}
 * </pre>
 */
public final class KeepCli {
  private static final String WARNING =
      "keep: LOCAL MODE IS NOT SECURE: software enclave, keys in an ordinary process, emulated AWS.";

  private KeepCli() {}

  public static void main(String[] args) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
        System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    List<String> list = Arrays.asList(args);
    try {
      int code;
      if (list.size() >= 2 && list.get(0).equals("enclave") && list.get(1).equals("kms-policy")) {
        code = KmsPolicyCli.run(list.subList(2, list.size()).toArray(String[]::new), System.out, System.err);
      } else if (list.size() >= 2 && list.get(0).equals("enclave")
          && (list.get(1).equals("verify") || list.get(1).equals("measure"))) {
        code = enclaveAttestation(list.subList(1, list.size()));
      } else if (!list.isEmpty() && list.get(0).equals("enclave")) {
        code = enclave(list.subList(1, list.size()));
      } else if (!list.isEmpty() && list.get(0).equals("audit")) {
        code = audit(list.subList(1, list.size()));
      } else if (!list.isEmpty() && list.get(0).equals("admin")) {
        code = admin(list.subList(1, list.size()));
      } else if (!list.isEmpty() && list.get(0).equals("attestation")) {
        code = attestation(list.subList(1, list.size()));
      } else if (!list.isEmpty() && list.get(0).equals("demo")) {
        code = demo(list.subList(1, list.size()));
      } else if (list.size() >= 2 && list.get(0).equals("bench") && list.get(1).equals("audit-verify")) {
        code = benchAuditVerify(list.subList(2, list.size()));
      } else if (list.size() >= 2 && list.get(0).equals("bench") && list.get(1).equals("unseal")) {
        code = benchUnseal(list.subList(2, list.size()));
      } else if (list.size() >= 2 && list.get(0).equals("local") && list.get(1).equals("up")) {
        code = localUp(list.subList(2, list.size()));
      } else {
        code = usage(list.isEmpty() ? "no command given" : "unknown command: " + String.join(" ", list));
      }
      System.exit(code);
    } catch (UsageException e) {
      System.exit(usage(e.getMessage()));
    } catch (MotoNotFoundException e) {
      System.err.println("keep: " + e.what());
      System.err.println("keep: install moto with this command, then run keep again: " + e.installCommand());
      System.exit(2);
    } catch (Exception e) {
      // An exception without a message is a bug of ours: its type says more than "null".
      System.err.println("keep: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      System.exit(1);
    }
  }

  private static int enclave(List<String> args) {
    try {
      return new EnclaveCli(System.out, System.err, System.in).run(args);
    } catch (EnclaveCli.Usage e) {
      System.err.println("keep: " + e.getMessage());
      System.err.println("usage: keep enclave status | generate-key | import-key | list-keys | public-key | disable-key | sign | sign-event | sign-psbt | example-psbt | policy | kms-policy | verify | measure");
      System.err.println("       (--cid N [--port 5000] | --local [--data-dir DIR]) [--json]; see README.md, \"The enclave CLI\"");
      return 2;
    }
  }

  private static int enclaveAttestation(List<String> args) {
    try {
      return new EnclaveAttestationCli(System.out, System.err).run(args);
    } catch (AttestationCli.Failure e) {
      System.err.println("keep: enclave " + args.getFirst() + ": " + e.getMessage());
      return 1;
    } catch (AttestationCli.Usage e) {
      System.err.println("keep: " + e.getMessage());
      System.err.println("usage: keep enclave verify (--cid N [--port 5000] | --local [--data-dir DIR])");
      System.err.println("         (--pcr0 HEX [--pcr1 HEX] [--pcr2 HEX] | --pcrs FILE | --insecure-no-pcrs)");
      System.err.println("         [--allow-debug] [--document-out FILE]");
      System.err.println("       keep enclave measure [--image JAR|DIR] [--out FILE]");
      System.err.println("       see README.md, \"Verifying a running enclave\"");
      return 2;
    }
  }

  private static int admin(List<String> args) {
    try {
      return new dev.keep.local.cli.AdminCli(System.out, System.getenv()).run(args);
    } catch (AttestationCli.Usage e) {
      System.err.println("keep: " + e.getMessage());
      System.err.println("usage: keep admin create-api-key --tenant T [--role submitter|auditor] [--rate N]");
      System.err.println("       (the tenants table is KEEP_TENANTS_TABLE, default tenants; AWS settings as the SDK's:");
      System.err.println("        AWS_REGION, credentials, AWS_ENDPOINT_URL_DYNAMODB for the local stack)");
      return 2;
    }
  }

  private static int audit(List<String> args) {
    try {
      if (!args.isEmpty() && args.getFirst().equals("export")) {
        return new dev.keep.local.cli.AuditExportCli(System.out).run(args.subList(1, args.size()));
      }
      return new dev.keep.local.cli.AuditCli(System.out).run(args);
    } catch (dev.keep.local.cli.AuditCli.Failure e) {
      System.err.println("keep: audit: " + e.getMessage());
      return 1;
    } catch (AttestationCli.Usage e) {
      System.err.println("keep: " + e.getMessage());
      System.err.println("usage: keep audit verify --export FILE (--pcr0 HEX [--pcr1 HEX] [--pcr2 HEX] | --pcrs FILE | --insecure-no-pcrs)");
      System.err.println("         [--allow-debug] [--local-root PEM] [--partial]");
      System.err.println("       keep audit export --api URL --api-key KEY --out FILE [--from ISO-INSTANT] [--to ISO-INSTANT]");
      return 2;
    }
  }

  private static int attestation(List<String> args) {
    try {
      return new AttestationCli(System.out).run(args);
    } catch (AttestationCli.Failure e) {
      System.err.println("keep: attestation: " + e.getMessage());
      return 1;
    } catch (AttestationCli.Usage e) {
      System.err.println("keep: " + e.getMessage());
      System.err.println("usage: keep attestation verify --document FILE (--pcr0 HEX [--pcr1 HEX] [--pcr2 HEX] | --pcrs FILE | --insecure-no-pcrs)");
      System.err.println("         [--at ISO-8601-INSTANT] [--allow-debug] [--nonce HEX] [--require-public-key] [--local-root PEM]");
      System.err.println("       see README.md, \"Verifying an attestation document\"");
      return 2;
    }
  }

  /** keep bench audit-verify [--receipts 10000] [--runs 3]: see {@link dev.keep.local.bench.AuditVerifyBench}. */
  private static int benchAuditVerify(List<String> args) throws Exception {
    int receipts = 10_000;
    int runs = 3;
    for (int i = 0; i < args.size(); i++) {
      switch (args.get(i)) {
        case "--receipts" -> receipts = positive(args, ++i, "--receipts", 1_000_000);
        case "--runs" -> runs = positive(args, ++i, "--runs", 20);
        default -> throw new UsageException("unknown option for bench audit-verify: " + args.get(i));
      }
    }
    new dev.keep.local.bench.AuditVerifyBench(System.out).run(receipts, runs);
    return 0;
  }

  /** keep bench unseal [--keys 1,100,1000] [--runs 3]: see {@link UnsealBench}. */
  private static int benchUnseal(List<String> args) throws Exception {
    List<Integer> keys = List.of(1, 100, 1000);
    int runs = 3;
    for (int i = 0; i < args.size(); i++) {
      switch (args.get(i)) {
        case "--keys" -> {
          if (i + 1 >= args.size()) {
            throw new UsageException("--keys needs a list such as 1,100,1000");
          }
          try {
            keys = Arrays.stream(args.get(++i).split(",")).map(k -> Integer.parseInt(k.strip())).toList();
          } catch (NumberFormatException e) {
            throw new UsageException("--keys must be numbers separated by commas, got '" + args.get(i) + "'");
          }
          if (keys.stream().anyMatch(k -> k < 1 || k > 10_000)) {
            throw new UsageException("--keys: each count must be 1..10000");
          }
        }
        case "--runs" -> runs = positive(args, ++i, "--runs", 20);
        default -> throw new UsageException("unknown option for bench unseal: " + args.get(i));
      }
    }
    System.err.println(WARNING);
    ensureMoto();
    new UnsealBench(System.out).run(keys, runs);
    return 0;
  }

  private static int demo(List<String> args) throws Exception {
    int jobs = 10;
    int workers = 1;
    int hosts = 1;
    for (int i = 0; i < args.size(); i++) {
      switch (args.get(i)) {
        case "--jobs" -> jobs = positive(args, ++i, "--jobs", 100_000);
        case "--workers" -> workers = positive(args, ++i, "--workers", 16);
        case "--hosts" -> hosts = positive(args, ++i, "--hosts", 16);
        default -> throw new UsageException("unknown option for demo: " + args.get(i));
      }
    }
    System.err.println(WARNING);
    ensureMoto();
    Instant start = Instant.now();
    LocalStack.Options options = LocalStack.Options.defaults().withWorkers(workers).withHosts(hosts);
    try (LocalStack stack = LocalStack.start(options)) {
      System.out.printf("stack up in %.2f s: api %s, sqs %s, dynamodb %s, kms %s, %s, %d worker(s)%n",
          Duration.between(start, Instant.now()).toMillis() / 1000.0, stack.apiUrl(), stack.sqsEndpoint(),
          stack.dynamoEndpoint(), stack.kmsEndpoint(), enclaves(stack), options.workers());
      System.out.println(sealingLine(stack.enclavePcrs()));
      Demo demo = new Demo(System.out);
      Demo.Report report = demo.run(stack, jobs, Duration.ofMinutes(10).plusSeconds(jobs / 10));
      demo.print(report);
      System.out.printf(Locale.ROOT, "demo finished in %.2f s%n", Duration.between(start, Instant.now()).toMillis() / 1000.0);
      if (!report.allSignedAndVerified()) {
        System.out.println("FAIL: not every job ended SIGNED with a verified signature");
        return 1;
      }
      System.out.println("OK");
      return 0;
    }
  }

  /** Each host's enclave process: "enclave pid 123 (tcp:4500)" or "3 enclaves: pid 1 (...), ...". */
  private static String enclaves(LocalStack stack) {
    if (stack.hostCount() == 1) {
      return "enclave pid " + stack.enclaveProcess().pid() + " (" + stack.enclaveAddress() + ")";
    }
    StringBuilder out = new StringBuilder(stack.hostCount() + " enclaves (hosts):");
    for (int h = 0; h < stack.hostCount(); h++) {
      out.append(h == 0 ? " " : ", ").append("pid ").append(stack.enclaveProcess(h).pid())
          .append(" (").append(stack.enclaveAddress(h)).append(')');
    }
    return out.toString();
  }

  /**
   * moto_server, the local stack's DynamoDB: found where {@code MotoExecutable} looks, or
   * installed on first use into {@code $KEEP_HOME/moto-venv}, saying so. Not needed when
   * KEEP_LOCALSTACK_URL points the stack elsewhere.
   */
  private static void ensureMoto() throws MotoNotFoundException {
    if (!usesExternalStack()) {
      MotoInstaller.forThisProcess().findOrInstall(System.err);
    }
  }

  private static boolean usesExternalStack() {
    String external = System.getenv("KEEP_LOCALSTACK_URL");
    return external != null && !external.isBlank();
  }

  /** Where the demo's keys go, and which enclave KMS opens them for. */
  private static String sealingLine(SortedMap<Integer, byte[]> pcrs) {
    StringBuilder line = new StringBuilder("sealing: keys are stored only sealed, under KMS " + LocalStack.KMS_ALIAS
        + ", whose key policy opens them only for an enclave attesting");
    for (int i = 0; i <= 2; i++) {
      String h = Hex.encode(pcrs.get(i));
      line.append(" PCR").append(i).append(' ').append(h, 0, 8).append('…').append(h.substring(h.length() - 4));
    }
    return line.toString();
  }

  private static int localUp(List<String> args) throws Exception {
    int port = 8080;
    int hosts = 1;
    String apiKey = null;
    for (int i = 0; i < args.size(); i++) {
      switch (args.get(i)) {
        case "--port" -> port = positive(args, ++i, "--port", 65_535);
        case "--hosts" -> hosts = positive(args, ++i, "--hosts", 16);
        case "--api-key" -> {
          if (++i >= args.size()) {
            throw new UsageException("--api-key needs a value");
          }
          apiKey = args.get(i);
          Optional<String> weak = ApiKeys.weakness(apiKey);
          if (weak.isPresent()) {
            throw new UsageException("--api-key " + weak.get() + "; leave --api-key out and a random one is made");
          }
        }
        default -> throw new UsageException("unknown option for local up: " + args.get(i));
      }
    }
    if (apiKey == null) {
      apiKey = ApiKeys.generate("keep_local_");
    }
    System.err.println(WARNING);
    ensureMoto();
    LocalStack stack = LocalStack.start(LocalStack.Options.defaults().withApiPort(port).withHosts(hosts));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stack.close();
      stopped.countDown();
    }));
    stack.createTenant("local", apiKey);
    String auditorKey = ApiKeys.generate("keep_audit_");
    stack.createAuditorKey("local", auditorKey);
    String keyId = "local-key";
    EnclaveResponse.KeyInfo key = stack.createKey(keyId, "local");
    System.out.println("Keep is up (local mode). Ctrl-C stops it.");
    System.out.println("  API URL:   " + stack.apiUrl());
    System.out.println("  API key:   " + apiKey);
    System.out.println("  auditor:   " + auditorKey + "  (read-only: 403 on every route that changes anything)");
    if (stack.hostCount() > 1) {
      System.out.println("  hosts:     " + enclaves(stack) + "; each with its own worker, one limit per key");
    }
    System.out.println("  key id:    " + keyId + "  (x-only public key " + key.xOnly() + ", " + key.npub() + ")");
    System.out.println("  policy:    " + LocalStack.DEVELOPMENT_POLICY_NOTICE + " (both keys)");
    System.out.println("  try:       curl -s -X POST " + stack.apiUrl() + "/v1/jobs -H 'Content-Type: application/json' -H 'Authorization: Bearer " + apiKey
        + "' -d '{\"keyId\":\"" + keyId + "\",\"kind\":\"message\",\"message\":\"68656c6c6f\"}'");
    // An HD testnet wallet key and an unsigned PSBT that spends a made-up output of it, so a
    // PSBT job can be tried at once.
    String walletId = "local-wallet";
    stack.createKey(walletId, "local", new dev.keep.schema.protocol.EnclaveRequest.KeySpec("hd", "testnet", false));
    String psbt = dev.keep.local.wallet.ExampleWallet.of(stack, walletId).taproot().psbtBase64();
    System.out.println("  wallet:    " + walletId + "  (HD, testnet; the PSBT below spends a made-up output of its m/86'/1'/0'/0/0)");
    System.out.println("  try:       curl -s -X POST " + stack.apiUrl() + "/v1/jobs -H 'Content-Type: application/json' -H 'Authorization: Bearer " + apiKey
        + "' -d '{\"keyId\":\"" + walletId + "\",\"kind\":\"psbt\",\"network\":\"testnet\",\"finalize\":true,\"psbt\":\""
        + psbt + "\"}'");
    System.out.println("  dry run:   the same body to " + stack.apiUrl() + "/v1/policy/evaluate answers the policy's decision");
    System.out.println("  webhook:   curl -s -X POST " + stack.apiUrl() + "/v1/webhooks -H 'Content-Type: application/json'"
        + " -H 'Authorization: Bearer " + apiKey + "' -d '{\"url\":\"http://127.0.0.1:9000/hook\",\"eventTypes\":"
        + "[\"job.signed\",\"job.rejected\",\"job.failed\"]}'  (http only to loopback, in local mode; the answer's"
        + " secret is shown once)");
    System.out.println("  audit:     ./keep audit export --api " + stack.apiUrl() + " --api-key " + auditorKey
        + " --out audit.jsonl && ./keep audit verify --export audit.jsonl --insecure-no-pcrs --local-root "
        + stack.attestationRootPem());
    System.out.println("             (checkpoints are archived to " + stack.checkpointDirectory() + "; PCRs of this build:"
        + " ./keep enclave measure --out pcrs.json, then --pcrs pcrs.json instead of --insecure-no-pcrs)");
    System.out.println("  admin:     AWS_ENDPOINT_URL_DYNAMODB=" + stack.dynamoEndpoint() + " AWS_REGION=us-east-1"
        + " AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local ./keep admin create-api-key --tenant local --role auditor");
    System.out.flush();
    stopped.await();
    return 0;
  }

  private static int positive(List<String> args, int i, String option, int max) {
    if (i >= args.size()) {
      throw new UsageException(option + " needs a number");
    }
    try {
      int value = Integer.parseInt(args.get(i));
      if (value < 1 || value > max) {
        throw new UsageException(option + " must be 1.." + max + ", got " + value);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new UsageException(option + " must be a number, got '" + args.get(i) + "'");
    }
  }

  private static int usage(String problem) {
    System.err.println("keep: " + problem);
    System.err.println("usage:");
    System.err.println("  keep demo [--jobs N] [--workers W] [--hosts H]  run the local stack (H enclave hosts), sign N messages, verify them");
    System.err.println("  keep local up [--port 8080] [--api-key KEY] [--hosts H]  serve the API locally until Ctrl-C");
    System.err.println("  keep bench unseal [--keys 1,100,1000] [--runs 3]  time from enclave start to all keys unsealed");
    System.err.println("  keep bench audit-verify [--receipts 10000] [--runs 3]  offline audit verification against BIP-340 alone");
    System.err.println("  keep enclave COMMAND (--cid N | --local)  operate an enclave: status, generate-key, import-key,");
    System.err.println("                                            list-keys, public-key, disable-key, sign, sign-event, sign-psbt, example-psbt,");
    System.err.println("                                            policy set | show | evaluate");
    System.err.println("  keep enclave verify (--cid N | --local) (--pcrs FILE | ...)  attest a running enclave with a fresh nonce");
    System.err.println("  keep enclave measure [--out FILE]        the PCRs a local enclave of this build reports");
    System.err.println("  keep attestation verify --document FILE ...  check an AWS Nitro attestation document");
    System.err.println("  keep audit export --api URL --api-key KEY --out FILE  fetch a tenant's audit export (JSON Lines)");
    System.err.println("  keep audit verify --export FILE ...  check an audit export offline");
    System.err.println("  keep admin create-api-key --tenant T [--role submitter|auditor]  make an API key (shown once)");
    return 2;
  }

  private static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
