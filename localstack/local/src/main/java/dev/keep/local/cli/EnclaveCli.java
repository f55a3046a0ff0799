package dev.keep.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.seal.VaultException;
import dev.keep.local.wallet.ExampleWallet;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.encoding.Json;
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
 *   keep enclave import-key   --name N [--type ...] [--network ...] [--allow-digests]   (secret on stdin; --local only)
 *   keep enclave list-keys
 *   keep enclave public-key   --key K [--path m/86'/0'/0']
 *   keep enclave disable-key  --key K
 *   keep enclave sign         --key K (--message HEX | --text TEXT | --digest HEX) [--scheme bip340|ecdsa] [--path P]
 *   keep enclave sign-event   --key K --event FILE|- [--path P]
 *   keep enclave sign-psbt    --key K --psbt FILE|- --network N [--finalize] [--out FILE]
 *   keep enclave example-psbt --key K --template p2tr|p2wpkh [--out FILE]   (an unsigned PSBT to try sign-psbt on)
 * </pre>
 *
 * Each takes {@code --cid N [--port 5000]} or {@code --local [--data-dir DIR]}, and {@code --json}.
 * Exit status: 0 done, 1 refused or failed (the message says what to do), 2 usage.
 */
public final class EnclaveCli {
  static final String LOCAL_WARNING =
      "keep: WARNING: local mode is not secure: keys are sealed under a development key on this disk (%s)";

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
    Map<String, String> options = parse(args.subList(1, args.size()));
    if (command.equals("example-psbt")) {
      return examplePsbt(options);
    }
    EnclaveRequest request = request(command, options);
    boolean json = options.containsKey("--json");
    try (EnclaveTarget target = target(options)) {
      EnclaveResponse response;
      try {
        response = target.client().call(request);
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
      if (response instanceof EnclaveResponse.PsbtSigned signed && options.get("--out") != null) {
        Files.writeString(Path.of(options.get("--out")), signed.psbt() + "\n");
        err.println("keep: signed PSBT written to " + options.get("--out"));
      }
      return 0;
    } catch (VaultException e) {
      err.println("keep: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("keep: " + e.getMessage());
      return 1;
    }
  }

  static final List<String> COMMANDS =
      List.of("status", "generate-key", "import-key", "list-keys", "public-key", "disable-key", "sign", "sign-event",
          "sign-psbt", "example-psbt");

  private EnclaveTarget target(Map<String, String> options) throws VaultException, IOException {
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
    String home = System.getenv("KEEP_HOME");
    Path base = home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".keep");
    return base.resolve("local-enclave").toAbsolutePath();
  }

  private EnclaveRequest request(String command, Map<String, String> o) {
    return switch (command) {
      case "status" -> {
        allow(o);
        yield new EnclaveRequest.Health();
      }
      case "generate-key" -> {
        allow(o, "--name", "--type", "--network", "--allow-digests");
        yield guard(() -> new EnclaveRequest.GenerateKey(required(o, "--name"), spec(o)));
      }
      case "import-key" -> {
        allow(o, "--name", "--type", "--network", "--allow-digests");
        String name = required(o, "--name");
        EnclaveRequest.KeySpec spec = guard(() -> spec(o));
        yield guard(() -> new EnclaveRequest.ImportKey(name, spec, readSecret()));
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
        allow(o, "--key", "--message", "--text", "--digest", "--scheme", "--path");
        yield sign(o);
      }
      case "sign-event" -> {
        allow(o, "--key", "--event", "--path");
        JsonNode event = readEvent(required(o, "--event"));
        yield guard(() -> new EnclaveRequest.SignEvent(jobId(), required(o, "--key"), event, o.get("--path")));
      }
      case "sign-psbt" -> {
        allow(o, "--key", "--psbt", "--network", "--finalize", "--out");
        String psbt = readPsbt(required(o, "--psbt"));
        yield guard(() -> new EnclaveRequest.SignPsbt(jobId(), required(o, "--key"), psbt,
            required(o, "--network"), o.containsKey("--finalize")));
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
    allow(o, "--key", "--template", "--out");
    String key = required(o, "--key");
    String template = required(o, "--template");
    if (!template.equals("p2tr") && !template.equals("p2wpkh")) {
      throw new Usage("--template must be p2tr or p2wpkh");
    }
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
      String psbt = (template.equals("p2tr") ? wallet.taproot() : wallet.segwit()).psbtBase64();
      if (o.get("--out") != null) {
        Files.writeString(Path.of(o.get("--out")), psbt + "\n");
        err.println("keep: unsigned " + template + " PSBT for key " + key + " (" + k.spec().network() + ") written to "
            + o.get("--out"));
      } else {
        out.println(psbt);
      }
      return 0;
    } catch (EnclaveUnavailableException e) {
      err.println("keep: cannot reach the enclave: " + e.getMessage());
      return 1;
    } catch (VaultException | IOException | IllegalStateException e) {
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
        : new String(bytes, StandardCharsets.US_ASCII).replaceAll("\\s+", "");
    if (base64.isEmpty()) {
      throw new Usage("--psbt: " + source + " is empty; give a PSBT file, binary or base64");
    }
    return base64;
  }

  private EnclaveRequest sign(Map<String, String> o) {
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
      case "--digest" -> new EnclaveRequest.SignDigest(jobId(), key, o.get("--digest"), scheme, o.get("--path"));
      case "--text" -> new EnclaveRequest.SignMessage(jobId(), key,
          Hex.encode(o.get("--text").getBytes(StandardCharsets.UTF_8)), scheme, o.get("--path"));
      default -> new EnclaveRequest.SignMessage(jobId(), key, o.get("--message"), scheme, o.get("--path"));
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
      String secret = new String(bytes, StandardCharsets.UTF_8).strip();
      java.util.Arrays.fill(bytes, (byte) 0);
      if (secret.isEmpty()) {
        throw new Usage("import-key reads the key from stdin (64 hex digits, nsec1…, or xprv/tprv); stdin was empty");
      }
      return secret;
    } catch (IOException e) {
      throw new Usage("cannot read the key from stdin: " + e.getMessage());
    }
  }

  private JsonNode readEvent(String source) {
    try {
      byte[] bytes = source.equals("-") ? in.readNBytes(1 << 20) : Files.readAllBytes(Path.of(source));
      return Json.MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new Usage("--event: cannot read a JSON event from " + (source.equals("-") ? "stdin" : source)
          + ": " + e.getMessage());
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
      case KEY_EXISTS -> "names are never reused; pick another --name";
      case KEY_DISABLED -> "a disabled key stays disabled; generate or import another key";
      case POLICY_DENIED -> "the key's configuration refuses this; see the message above";
      case SEALING_FAILED -> "the key store could not be written or read; check the data directory and its permissions";
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
