package dev.keep.local.cli;

import dev.keep.schema.attestation.AttestationException;
import dev.keep.schema.attestation.AttestationVerifier;
import dev.keep.schema.attestation.Nonce;
import dev.keep.schema.attestation.Pcr;
import dev.keep.schema.attestation.PcrPolicy;
import dev.keep.schema.attestation.PcrSet;
import dev.keep.schema.attestation.PcrsJson;
import dev.keep.schema.attestation.TrustedRoot;
import dev.keep.schema.attestation.VerifiedAttestation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code keep attestation verify}: checks an AWS Nitro attestation document with {@link
 * AttestationVerifier}.
 *
 * <pre>
 *   keep attestation verify --document FILE              (CBOR, or base64 of it)
 *                           (--pcr0 HEX [--pcr1 HEX] [--pcr2 HEX] | --pcrs FILE [--pcrs FILE ...] | --no-pcr-check)
 *                           [--at ISO-8601-INSTANT]      (default: the document's own time)
 *                           [--allow-debug] [--nonce HEX] [--require-public-key]
 *                           [--local-root PEM]           (a software NSM's root instead of AWS's)
 * </pre>
 *
 * There is no default for the PCRs: give the expected values or say {@code --no-pcr-check}.
 * Several {@code --pcrs} files allow any one of them (a rollout). Exit status: 0 verified, 1 a
 * check failed or the file cannot be read ({@code keep: attestation: CHECK: details}), 2 usage.
 */
public final class AttestationCli {
  private static final HexFormat HEX = HexFormat.of();

  private final PrintStream out;

  public AttestationCli(PrintStream out) {
    this.out = out;
  }

  /** A command line that cannot be run as written; exit status 2. */
  public static final class Usage extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Usage(String message) {
      super(message);
    }
  }

  /** The check failed or the input could not be read; the message follows "keep: attestation: ". */
  public static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    Failure(String message) {
      super(message);
    }
  }

  /** Runs the command; returns 0 when the document verifies, throws otherwise. */
  public int run(List<String> args) throws Failure {
    if (args.isEmpty() || !args.getFirst().equals("verify")) {
      throw new Usage(args.isEmpty()
          ? "keep attestation needs a command: verify"
          : "unknown attestation command '" + args.getFirst() + "'; one of: verify");
    }
    Options options = Options.parse(args.subList(1, args.size()));
    byte[] document = readDocument(options.document);
    TrustedRoot root = options.localRoot == null ? TrustedRoot.awsNitro() : readRoot(options.localRoot);
    AttestationVerifier verifier = AttestationVerifier.builder()
        .trustedRoot(root)
        .pcrs(options.pcrPolicy())
        .allowDebug(options.allowDebug)
        .expectedNonce(options.nonce)
        .requirePublicKey(options.requirePublicKey)
        .build();
    VerifiedAttestation attestation;
    try {
      attestation = verifier.verify(document, options.at);
    } catch (AttestationException e) {
      throw new Failure(e.getMessage());
    }
    print(attestation, root, options);
    return 0;
  }

  private void print(VerifiedAttestation a, TrustedRoot root, Options options) {
    out.println("attestation document verified");
    out.println("  module id:   " + a.moduleId());
    out.println("  time:        " + a.timestamp());
    out.println("  checked at:  " + a.verifiedAt() + (options.at == null ? " (the document's time)" : " (--at)"));
    out.println("  root:        " + root);
    out.println("  signed by:   " + a.certificate().getSubjectX500Principal().getName());
    for (var pcr : a.pcrs().asMap().entrySet()) {
      if (pcr.getKey() <= 2 || !pcr.getValue().isZero()) {
        out.printf("  %-12s %s%n", "PCR" + pcr.getKey() + ":", pcr.getValue().hex());
      }
    }
    out.println("  PCR check:   " + switch (options.pcrPolicy()) {
      case PcrPolicy.AnyOf anyOf -> anyOf.sets().size() == 1
          ? "matches the expected PCRs"
          : "matches one of the " + anyOf.sets().size() + " allowed sets";
      case PcrPolicy.NotChecked ignored -> "NOT CHECKED (--no-pcr-check)";
    });
    out.println("  debug mode:  " + (a.debugMode()
        ? "YES (allowed by --allow-debug): the parent instance can read this enclave's memory"
        : "no"));
    out.println("  public key:  " + describe(a.publicKey().map(k -> k.bytes())));
    out.println("  user data:   " + describe(a.userData().map(u -> u.bytes())));
    out.println("  nonce:       " + describe(a.nonce().map(n -> n.bytes()))
        + (options.nonce != null ? " (matches --nonce)" : a.nonce().isPresent() ? " (not checked)" : ""));
  }

  private static String describe(Optional<byte[]> value) {
    if (value.isEmpty()) {
      return "none";
    }
    byte[] bytes = value.get();
    String hex = bytes.length <= 32
        ? HEX.formatHex(bytes)
        : HEX.formatHex(bytes, 0, 16) + "..." + HEX.formatHex(bytes, bytes.length - 4, bytes.length);
    return bytes.length + " bytes" + (bytes.length == 0 ? "" : ", " + hex);
  }

  /** Raw CBOR starts with an array of 4 (0x84) or tag 18 (0xd2); anything else is read as base64. */
  static byte[] readDocument(Path file) throws Failure {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new Failure("cannot read " + file + ": " + e);
    }
    if (bytes.length > 0 && ((bytes[0] & 0xff) == 0x84 || (bytes[0] & 0xff) == 0xd2)) {
      return bytes;
    }
    try {
      return Base64.getMimeDecoder().decode(new String(bytes, StandardCharsets.US_ASCII).strip());
    } catch (IllegalArgumentException e) {
      throw new Failure("structure: " + file + " is neither a CBOR COSE_Sign1 nor base64 (" + e.getMessage() + ")");
    }
  }

  private static TrustedRoot readRoot(Path file) throws Failure {
    try {
      return TrustedRoot.local(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new Failure("cannot read " + file + ": " + e);
    } catch (IllegalArgumentException e) {
      throw new Failure("--local-root " + file + ": " + e.getMessage());
    }
  }

  private static final class Options {
    Path document;
    Instant at;
    final Map<Integer, Pcr> pcrFlags = new TreeMap<>();
    final List<PcrSet> pcrFiles = new ArrayList<>();
    boolean noPcrCheck;
    boolean allowDebug;
    boolean requirePublicKey;
    Nonce nonce;
    Path localRoot;

    static Options parse(List<String> args) throws Failure {
      Options o = new Options();
      for (int i = 0; i < args.size(); i++) {
        String arg = args.get(i);
        switch (arg) {
          case "--allow-debug" -> o.allowDebug = once(o.allowDebug, arg);
          case "--no-pcr-check" -> o.noPcrCheck = once(o.noPcrCheck, arg);
          case "--require-public-key" -> o.requirePublicKey = once(o.requirePublicKey, arg);
          case "--document" -> o.document = Path.of(once(o.document, arg, value(args, ++i, arg)));
          case "--local-root" -> o.localRoot = Path.of(once(o.localRoot, arg, value(args, ++i, arg)));
          case "--at" -> o.at = instant(once(o.at, arg, value(args, ++i, arg)));
          case "--nonce" -> o.nonce = nonce(once(o.nonce, arg, value(args, ++i, arg)));
          case "--pcr0", "--pcr1", "--pcr2" -> {
            int index = arg.charAt(arg.length() - 1) - '0';
            String hex = value(args, ++i, arg);
            if (o.pcrFlags.containsKey(index)) {
              throw new Usage(arg + " is given twice");
            }
            try {
              o.pcrFlags.put(index, Pcr.fromHex(hex));
            } catch (IllegalArgumentException e) {
              throw new Usage(arg + ": " + e.getMessage());
            }
          }
          case "--pcrs" -> {
            Path file = Path.of(value(args, ++i, arg));
            try {
              o.pcrFiles.add(PcrsJson.read(file));
            } catch (IOException e) {
              throw new Failure("cannot read " + file + ": " + e);
            } catch (PcrsJson.InvalidPcrsJson e) {
              throw new Failure("--pcrs " + e.getMessage());
            }
          }
          default -> throw new Usage(arg.startsWith("--") ? "unknown option " + arg : "unexpected argument '" + arg + "'");
        }
      }
      if (o.document == null) {
        throw new Usage("--document FILE is required");
      }
      int ways = (o.pcrFlags.isEmpty() ? 0 : 1) + (o.pcrFiles.isEmpty() ? 0 : 1) + (o.noPcrCheck ? 1 : 0);
      if (ways != 1) {
        throw new Usage(ways == 0
            ? "say which PCRs to expect: --pcr0/--pcr1/--pcr2 HEX, --pcrs FILE, or --no-pcr-check"
            : "--pcr0/--pcr1/--pcr2, --pcrs and --no-pcr-check exclude each other");
      }
      return o;
    }

    PcrPolicy pcrPolicy() {
      if (noPcrCheck) {
        return PcrPolicy.insecureNoCheck();
      }
      return PcrPolicy.anyOf(pcrFlags.isEmpty() ? pcrFiles : List.of(PcrSet.of(pcrFlags)));
    }

    private static String value(List<String> args, int i, String option) {
      if (i >= args.size()) {
        throw new Usage(option + " needs a value");
      }
      return args.get(i);
    }

    private static boolean once(boolean already, String option) {
      if (already) {
        throw new Usage(option + " is given twice");
      }
      return true;
    }

    private static String once(Object already, String option, String value) {
      if (already != null) {
        throw new Usage(option + " is given twice");
      }
      return value;
    }

    private static Instant instant(String text) {
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException e) {
        throw new Usage("--at must be an ISO-8601 instant such as 2024-09-07T14:38:06.508Z, got '" + text + "'");
      }
    }

    private static Nonce nonce(String hex) {
      try {
        return Nonce.of(HEX.parseHex(hex));
      } catch (IllegalArgumentException e) {
        throw new Usage("--nonce must be hex (at most 1024 bytes): " + e.getMessage());
      }
    }
  }
}
