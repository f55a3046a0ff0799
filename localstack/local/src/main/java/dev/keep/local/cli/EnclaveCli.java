package dev.keep.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.enclave.keys.PublicKey;
import dev.keep.worker.sealing.SealingFailure;
import dev.keep.local.wallet.ExampleWallet;
import dev.keep.schema.api.JobRequest;
import dev.keep.schema.api.JobRequestDecoder;
import dev.keep.schema.encoding.Echo;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.encoding.SchemaViolation;
import dev.keep.schema.encoding.Utf8;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.ErrorCode;
import dev.keep.worker.enclave.EnclaveUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code keep enclave ...}: the operator's commands against an enclave.
 *
 * <pre>
 *   keep enclave status
 *   keep enclave generate-key --name N [--type single|hd] [--network mainnet|testnet|signet|regtest] [--allow-digests]
 *                             [--policy FILE]
 *   keep enclave import-key   --name N [--type ...] [--network ...] [--allow-digests] [--policy FILE]
 *                             (secret on stdin; --local only)
 *   keep enclave list-keys
 *   keep enclave public-key   --key K [--path m/86'/0'/0']
 *   keep enclave disable-key  --key K
 *   keep enclave sign         --key K (--message HEX | --text TEXT | --digest HEX) [--scheme bip340|ecdsa] [--path P]
 *                             [--approvals FILE]
 *   keep enclave sign-event   --key K --event FILE|- [--path P] [--approvals FILE]
 *   keep enclave sign-psbt    --key K --psbt FILE|- --network N [--finalize] [--out FILE] [--approvals FILE]
 *   keep enclave example-psbt --key K --template p2tr|p2wpkh [--amount SATS] [--out FILE]
 *                             (an unsigned PSBT to try sign-psbt on)
 *   keep enclave policy set      --key K --file POLICY.json [--approvals FILE]
 *   keep enclave policy show     --key K
 *   keep enclave policy evaluate --key K --file JOB.json   (a dry run: decision and trace, nothing signed or charged)
 * </pre>
 *
 * A key signs nothing until it has a policy. {@code --approvals FILE} is a JSON array of {@code
 * {"approver": NAME, "signature": HEX}}: BIP-340 signatures over the digest a dry run reports (for
 * a job) or the refusal names (for a policy update). A job file for {@code policy evaluate} is a
 * body of {@code POST /v1/jobs}; its {@code keyId} must be {@code --key}.
 *
 * <pre>
 * </pre>
 *
 * Each takes {@code --cid N [--port 5000]} or {@code --local [--data-dir DIR]}, and {@code --json}.
 * Exit status: 0 done, 1 refused or failed (the message says what to do), 2 usage.
 */
public final class EnclaveCli {
  static final String LOCAL_WARNING =
      "keep: WARNING: local mode is not secure: keys are sealed through a local KMS whose keys are on this disk (%s)";

  private static final Set<String> FLAGS = Set.of("--local", "--json", "--allow-digests", "--finalize");

  private final PrintStream out;
  private final PrintStream err;
  private final InputStream in;

  public EnclaveCli(PrintStream out, PrintStream err, InputStream in) {
    this.out = out;
    this.err = err;
    this.in = in;
  }

  /** Thrown for a command line that cannot be run as written; exit status 2. */
  public static final class Usage extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Usage(String message) {
      super(message);
    }
  }

  public int run(List<String> args) {
    if (args.isEmpty()) {
      throw new Usage("keep enclave needs a command: " + String.join(" | ", COMMANDS));
    }
    String command = args.get(0);
    if (!COMMANDS.contains(command)) {
      throw new Usage("unknown enclave command '" + command + "'; one of: " + String.join(" | ", COMMANDS));
    }
    if (command.equals("policy")) {
      if (args.size() < 2 || !POLICY_COMMANDS.contains(args.get(1))) {
        throw new Usage("keep enclave policy needs one of: " + String.join(" | ", POLICY_COMMANDS));
      }
      command = "policy " + args.get(1);
      args = args.subList(1, args.size());
    }
    Map<String, String> options = parse(args.subList(1, args.size()));
    if (command.equals("example-psbt")) {
      return examplePsbt(options);
    }
    EnclaveRequest request = request(command, options);
    boolean json = options.containsKey("--json");
    try (EnclaveTarget target = target(options)) {
      EnclaveResponse response;
      try {
        response = target.send(request);
      } catch (SealingFailure e) {
        err.println("keep: sealing failed: " + e.getMessage());
        return 1;
      } catch (EnclaveUnavailableException e) {
        err.println("keep: cannot reach " + target.describe() + ": " + e.getMessage());
        err.println("keep: is the enclave running? (nitro-cli describe-enclaves). For a development enclave use --local.");
        return 1;
      }
      if (response instanceof EnclaveResponse.Error error) {
        if (json) {
          out.println(Json.write(response));
        }
        err.println("keep: " + error.code() + ": " + error.message());
        String hint = hint(error.code());
        if (!hint.isEmpty()) {
          err.println("keep: " + hint);
        }
        return 1;
      }
      out.println(json ? Json.write(response) : Printer.human(response));
      if ((command.equals("generate-key") || command.equals("import-key")) && !options.containsKey("--policy")) {
        err.println("keep: key " + ((EnclaveResponse.KeyInfo) response).keyId() + " has no policy, so it signs nothing;"
            + " give it one with: keep enclave policy set --key " + ((EnclaveResponse.KeyInfo) response).keyId()
            + " --file POLICY.json");
      }
      if (response instanceof EnclaveResponse.PsbtSigned signed && options.get("--out") != null) {
        Files.writeString(Path.of(options.get("--out")), signed.psbt() + "\n");
        err.println("keep: signed PSBT written to " + options.get("--out"));
      }
      return 0;
    } catch (SealingFailure e) {
      err.println("keep: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("keep: " + e.getMessage());
      return 1;
    }
  }

  static final List<String> COMMANDS =
      List.of("status", "generate-key", "import-key", "list-keys", "public-key", "disable-key", "sign", "sign-event",
          "sign-psbt", "example-psbt", "policy");

  static final List<String> POLICY_COMMANDS = List.of("set", "show", "evaluate");

  private EnclaveTarget target(Map<String, String> options) throws SealingFailure, IOException {
    boolean local = options.containsKey("--local");
    String cid = options.get("--cid");
    if (local == (cid != null)) {
      throw new Usage("say which enclave: --cid N (a Nitro enclave over vsock) or --local (the development enclave)");
    }
    if (local) {
      if (options.containsKey("--port")) {
        throw new Usage("--port goes with --cid; --local needs no port");
      }
      Path dir = dataDir(options.get("--data-dir"));
      err.println(String.format(LOCAL_WARNING, dir));
      return EnclaveTarget.Local.start(dir);
    }
    if (options.containsKey("--data-dir")) {
      throw new Usage("--data-dir goes with --local; a Nitro enclave keeps no keys on a disk");
    }
    return EnclaveTarget.Vsock.connect(number(cid, "--cid", 3, Integer.MAX_VALUE),
        options.containsKey("--port") ? number(options.get("--port"), "--port", 1, 65_535) : 5000);
  }

  /** --data-dir, else $KEEP_HOME/local-enclave, else ~/.keep/local-enclave. */
  static Path dataDir(String option) {
    if (option != null) {
      return Path.of(option).toAbsolutePath();
    }
    return dev.keep.local.stack.RunDirectory.keepHome().resolve("local-enclave");
  }

  private EnclaveRequest request(String command, Map<String, String> o) {
    return switch (command) {
      case "status" -> {
        allow(o);
        yield new EnclaveRequest.Health();
      }
      case "generate-key" -> {
        allow(o, "--name", "--type", "--network", "--allow-digests", "--policy");
        String policy = optionalPolicy(o);
        yield guard(() -> new EnclaveRequest.GenerateKey(required(o, "--name"), spec(o), policy));
      }
      case "import-key" -> {
        allow(o, "--name", "--type", "--network", "--allow-digests", "--policy");
        String name = required(o, "--name");
        EnclaveRequest.KeySpec spec = guard(() -> spec(o));
        String policy = optionalPolicy(o);
        yield guard(() -> new EnclaveRequest.ImportKey(name, spec, readSecret(), policy));
      }
      case "policy set" -> {
        allow(o, "--key", "--file", "--approvals");
        String policy = readText(required(o, "--file"), "--file");
        List<EnclaveRequest.Approval> approvals = approvals(o);
        yield guard(() -> new EnclaveRequest.SetPolicy(required(o, "--key"), policy,
            approvals == null ? List.of() : approvals));
      }
      case "policy show" -> {
        allow(o, "--key");
        yield guard(() -> new EnclaveRequest.GetPolicy(required(o, "--key")));
      }
      case "policy evaluate" -> {
        allow(o, "--key", "--file");
        yield new EnclaveRequest.EvaluatePolicy(job(required(o, "--key"), required(o, "--file")));
      }
      case "list-keys" -> {
        allow(o);
        yield new EnclaveRequest.ListKeys();
      }
      case "public-key" -> {
        allow(o, "--key", "--path");
        yield guard(() -> new EnclaveRequest.GetPublicKey(required(o, "--key"), o.get("--path")));
      }
      case "disable-key" -> {
        allow(o, "--key");
        yield guard(() -> new EnclaveRequest.DisableKey(required(o, "--key")));
      }
      case "sign" -> {
        allow(o, "--key", "--message", "--text", "--digest", "--scheme", "--path", "--approvals");
        yield sign(o, approvals(o));
      }
      case "sign-event" -> {
        allow(o, "--key", "--event", "--path", "--approvals");
        JsonNode event = readEvent(required(o, "--event"));
        List<EnclaveRequest.Approval> approvals = approvals(o);
        yield guard(() -> new EnclaveRequest.SignEvent(jobId(), required(o, "--key"), event, o.get("--path"),
            approvals));
      }
      case "sign-psbt" -> {
        allow(o, "--key", "--psbt", "--network", "--finalize", "--out", "--approvals");
        String psbt = readPsbt(required(o, "--psbt"));
        List<EnclaveRequest.Approval> approvals = approvals(o);
        yield guard(() -> new EnclaveRequest.SignPsbt(jobId(), required(o, "--key"), psbt,
            required(o, "--network"), o.containsKey("--finalize"), approvals));
      }
      default -> throw new Usage("unknown enclave command " + command);
    };
  }

  /**
   * A development aid: an unsigned PSBT that spends a made-up funding output at the key's own
   * address (BIP-86 taproot or BIP-84 P2WPKH for an HD key; the key's own script for a single
   * key), paying 60,000 sats out with change back. Only public keys are read from the enclave.
   */
  private int examplePsbt(Map<String, String> o) {
    allow(o, "--key", "--template", "--out", "--amount");
    String key = required(o, "--key");
    String template = required(o, "--template");
    if (!template.equals("p2tr") && !template.equals("p2wpkh")) {
      throw new Usage("--template must be p2tr or p2wpkh");
    }
    long amount = o.containsKey("--amount")
        ? number(o.get("--amount"), "--amount", 546, 1_000_000_000) : ExampleWallet.PAID;
    try (EnclaveTarget target = target(o)) {
      EnclaveResponse info = target.client().call(new EnclaveRequest.GetPublicKey(key, null));
      if (!(info instanceof EnclaveResponse.KeyInfo k)) {
        err.println("keep: " + Printer.human(info));
        return 1;
      }
      ExampleWallet wallet = new ExampleWallet(path -> {
        EnclaveResponse r = target.client().call(new EnclaveRequest.GetPublicKey(key, path));
        if (!(r instanceof EnclaveResponse.KeyInfo at)) {
          throw new IllegalStateException(Printer.human(r));
        }
        return PublicKey.ofCompressed(Hex.decode("publicKey", at.publicKey()));
      }, k.spec().type().equals("hd"));
      String psbt = (template.equals("p2tr") ? wallet.taproot(amount) : wallet.segwit(amount)).psbtBase64();
      if (o.get("--out") != null) {
        Files.writeString(Path.of(o.get("--out")), psbt + "\n");
        err.println("keep: unsigned " + template + " PSBT for key " + key + " (" + k.spec().network() + ") paying "
            + String.format("%,d", amount) + " sats out, written to " + o.get("--out"));
      } else {
        out.println(psbt);
      }
      return 0;
    } catch (EnclaveUnavailableException e) {
      err.println("keep: cannot reach the enclave: " + e.getMessage());
      return 1;
    } catch (SealingFailure | IOException | IllegalStateException e) {
      err.println("keep: " + e.getMessage());
      return 1;
    }
  }

  /** BIP-174 §Encoding: the file holds the binary PSBT (magic "psbt" 0xff) or its base64 text. */
  private String readPsbt(String source) {
    byte[] bytes;
    try {
      bytes = source.equals("-")
          ? in.readNBytes(EnclaveRequest.MAX_PSBT_BASE64_CHARS + 1)
          : Files.readAllBytes(Path.of(source));
    } catch (IOException e) {
      throw new Usage("--psbt: cannot read " + (source.equals("-") ? "stdin" : source) + ": " + e.getMessage());
    }
    boolean binary = bytes.length >= 5 && bytes[0] == 'p' && bytes[1] == 's' && bytes[2] == 'b' && bytes[3] == 't'
        && (bytes[4] & 0xff) == 0xff;
    String base64 = binary
        ? java.util.Base64.getEncoder().encodeToString(bytes)
        : decode(bytes, "--psbt " + source).replaceAll("\\s+", "");
    if (base64.isEmpty()) {
      throw new Usage("--psbt: " + source + " is empty; give a PSBT file, binary or base64");
    }
    return base64;
  }

  private EnclaveRequest sign(Map<String, String> o, List<EnclaveRequest.Approval> approvals) {
    String key = required(o, "--key");
    List<String> given = new ArrayList<>();
    for (String what : List.of("--message", "--text", "--digest")) {
      if (o.containsKey(what)) {
        given.add(what);
      }
    }
    if (given.size() != 1) {
      throw new Usage("sign needs exactly one of --message HEX, --text TEXT or --digest HEX");
    }
    String scheme = o.getOrDefault("--scheme", "bip340");
    return guard(() -> switch (given.get(0)) {
      case "--digest" ->
          new EnclaveRequest.SignDigest(jobId(), key, o.get("--digest"), scheme, o.get("--path"), approvals);
      case "--text" -> new EnclaveRequest.SignMessage(jobId(), key,
          Hex.encode(o.get("--text").getBytes(StandardCharsets.UTF_8)), scheme, o.get("--path"), approvals);
      default -> new EnclaveRequest.SignMessage(jobId(), key, o.get("--message"), scheme, o.get("--path"), approvals);
    });
  }

  private static EnclaveRequest.KeySpec spec(Map<String, String> o) {
    return new EnclaveRequest.KeySpec(o.getOrDefault("--type", "single"), o.getOrDefault("--network", "mainnet"),
        o.containsKey("--allow-digests"));
  }

  /** The secret arrives on stdin, never as an argument: arguments are visible in ps and history. */
  private String readSecret() {
    try {
      byte[] bytes = in.readNBytes(1024);
      String secret;
      try {
        secret = Utf8.decode(bytes, "stdin").strip();
      } catch (Utf8.MalformedException e) {
        // The offset only: the bytes around it are the secret.
        throw new Usage("import-key: stdin is not UTF-8 text (at byte offset " + e.offset() + ")");
      } finally {
        java.util.Arrays.fill(bytes, (byte) 0);
      }
      if (secret.isEmpty()) {
        throw new Usage("import-key reads the key from stdin (64 hex digits, nsec1…, or xprv/tprv); stdin was empty");
      }
      return secret;
    } catch (IOException e) {
      throw new Usage("cannot read the key from stdin: " + e.getMessage());
    }
  }

  /**
   * {@code --policy FILE}'s text, exactly as written: the enclave parses it, so it sees (and
   * refuses) a duplicated key the operator's eyes may have missed, and hashes what the admins read.
   */
  private static String optionalPolicy(Map<String, String> o) {
    return o.containsKey("--policy") ? readText(required(o, "--policy"), "--policy") : null;
  }

  /** A file as strict UTF-8 text: a byte that is not UTF-8 is an error naming its offset, never U+FFFD. */
  private static String readText(String file, String option) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(Path.of(file));
    } catch (IOException e) {
      throw new Usage(option + ": cannot read " + file + ": " + e.getMessage());
    }
    return decode(bytes, option + " " + file);
  }

  private static String decode(byte[] bytes, String what) {
    try {
      return Utf8.decode(bytes, what);
    } catch (Utf8.MalformedException e) {
      throw new Usage(e.getMessage());
    }
  }

  /** A JSON file, read strictly: UTF-8, one value, no key twice in an object. */
  private static JsonNode readJson(String file, String option) {
    return parseJson(readText(file, option), option + " " + file);
  }

  private static JsonNode parseJson(String text, String what) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (IOException e) {
      String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getOriginalMessage() != null
          ? j.getOriginalMessage() : e.getClass().getSimpleName();
      int nl = why.indexOf('\n');
      throw new Usage(what + ": not valid JSON: " + Echo.of(nl >= 0 ? why.substring(0, nl) : why, 200));
    }
  }

  /** --approvals FILE: a JSON array of {"approver": NAME, "signature": HEX}; absent: none. */
  private List<EnclaveRequest.Approval> approvals(Map<String, String> o) {
    if (!o.containsKey("--approvals")) {
      return null;
    }
    JsonNode node = readJson(required(o, "--approvals"), "--approvals");
    if (!node.isArray()) {
      throw new Usage("--approvals: " + o.get("--approvals") + " must hold a JSON array of {\"approver\", \"signature\"}");
    }
    List<EnclaveRequest.Approval> approvals = new ArrayList<>();
    for (JsonNode a : node) {
      approvals.add(guard(() -> new EnclaveRequest.Approval(a.path("approver").asText(null), a.path("signature").asText(null))));
    }
    return approvals;
  }

  /**
   * A job file for a dry run: a body of {@code POST /v1/jobs}, checked against the same schema
   * the API uses, for the key named by {@code --key}.
   */
  private static EnclaveRequest.SignRequest job(String key, String file) {
    String body = readText(file, "--file");
    JobRequest request;
    try {
      request = JobRequestDecoder.decode(body);
    } catch (SchemaViolation e) {
      throw new Usage("--file: " + file + " is not a job body: " + e.getMessage());
    }
    if (!request.keyId().equals(key)) {
      throw new Usage("--file: the job is for key '" + request.keyId() + "', not --key " + key);
    }
    return guard(() -> request.toSignRequest(jobId()));
  }

  private JsonNode readEvent(String source) {
    if (!source.equals("-")) {
      return readJson(source, "--event");
    }
    try {
      return parseJson(decode(in.readNBytes(1 << 20), "--event stdin"), "--event stdin");
    } catch (IOException e) {
      throw new Usage("--event: cannot read a JSON event from stdin: " + e.getMessage());
    }
  }

  private static String jobId() {
    return "cli-" + UUID.randomUUID();
  }

  private static <T> T guard(java.util.function.Supplier<T> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new Usage(e.getMessage());
    }
  }

  private static String hint(ErrorCode code) {
    return switch (code) {
      case KEY_NOT_FOUND -> "see the keys with: keep enclave list-keys (with the same --cid or --local)";
      case KEY_EXISTS -> "names are never reused, and a secret is held under one name only";
      case KEY_DISABLED -> "a disabled key stays disabled; generate or import another key";
      case POLICY_DENIED -> "the key's policy refuses this (see keep enclave policy show --key K; "
          + "policy evaluate --key K --file JOB.json explains a job)";
      case SEALING_FAILED -> "the key store could not be written or read; check the data directory and its permissions";
      case RESULT_TOO_LARGE -> "nothing was signed; split the PSBT into smaller ones";
      case INTERNAL -> "the enclave failed unexpectedly; retrying may work";
      case INVALID_REQUEST -> "";
    };
  }

  private static Map<String, String> parse(List<String> args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        throw new Usage("unexpected argument '" + arg + "'");
      }
      String value = null;
      if (!FLAGS.contains(arg)) {
        if (i + 1 >= args.size()) {
          throw new Usage(arg + " needs a value");
        }
        value = args.get(++i);
      }
      if (options.put(arg, value == null ? "" : value) != null) {
        throw new Usage(arg + " is given twice");
      }
    }
    return options;
  }

  private static void allow(Map<String, String> options, String... extra) {
    Set<String> allowed = new java.util.HashSet<>(Set.of("--cid", "--port", "--local", "--data-dir", "--json"));
    allowed.addAll(List.of(extra));
    for (String option : options.keySet()) {
      if (!allowed.contains(option)) {
        throw new Usage("this command does not take " + option);
      }
    }
  }

  private static String required(Map<String, String> options, String option) {
    String value = options.get(option);
    if (value == null || value.isEmpty()) {
      throw new Usage(option + " is required");
    }
    return value;
  }

  private static int number(String value, String option, int min, int max) {
    try {
      int n = Integer.parseInt(value);
      if (n < min || n > max) {
        throw new Usage(option + " must be " + min + ".." + max + ", got " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new Usage(option + " must be a number, got '" + value + "'");
    }
  }
}
