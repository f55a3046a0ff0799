package dev.keep.local.cli;

import dev.keep.schema.attestation.AttestationException;
import dev.keep.schema.attestation.AttestationVerifier;
import dev.keep.schema.attestation.Nonce;
import dev.keep.schema.attestation.TrustedRoot;
import dev.keep.schema.attestation.VerifiedAttestation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * {@code keep attestation verify}: checks an AWS Nitro attestation document with {@link
 * AttestationVerifier}.
 *
 * <pre>
 *   keep attestation verify --document FILE              (CBOR, or base64 of it)
 *                           (--pcr0 HEX [--pcr1 HEX] [--pcr2 HEX] | --pcrs FILE [--pcrs FILE ...]
 *                            | --insecure-no-pcrs)       (see {@link PcrOptions}; --no-pcr-check is the same)
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
    Options options;
    try {
      options = Options.parse(args.subList(1, args.size()));
    } catch (PcrOptions.Invalid e) {
      if (e.unreadable) {
        throw new Failure(e.getMessage());
      }
      throw new Usage(e.getMessage());
    }
    byte[] document = readDocument(options.document);
    TrustedRoot root = options.localRoot == null ? TrustedRoot.awsNitro() : readRoot(options.localRoot);
    AttestationVerifier verifier = AttestationVerifier.builder()
        .trustedRoot(root)
        .pcrs(options.expected.policy())
        .allowDebug(options.expected.allowDebug())
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
    printChecked(out, a, root, options.at == null ? " (the document's time)" : " (--at)", options.expected.check());
    out.println("  public key:  " + describe(a.publicKey().map(k -> k.bytes())));
    out.println("  user data:   " + describe(a.userData().map(u -> u.bytes())));
    out.println("  nonce:       " + describe(a.nonce().map(n -> n.bytes()))
        + (options.nonce != null ? " (matches --nonce)" : a.nonce().isPresent() ? " (not checked)" : ""));
  }

  /**
   * What both verify commands print of a verified document: who made it, when, under which root,
   * its PCRs and the check they passed, and whether it is a debug enclave.
   */
  static void printChecked(PrintStream out, VerifiedAttestation a, TrustedRoot root, String checkedAtNote,
      String pcrCheck) {
    out.println("  module id:   " + a.moduleId());
    out.println("  time:        " + a.timestamp());
    out.println("  checked at:  " + a.verifiedAt() + checkedAtNote);
    out.println("  root:        " + root);
    out.println("  signed by:   " + a.certificate().getSubjectX500Principal().getName());
    for (var pcr : a.pcrs().asMap().entrySet()) {
      if (pcr.getKey() <= 2 || !pcr.getValue().isZero()) {
        out.printf("  %-12s %s%n", "PCR" + pcr.getKey() + ":", pcr.getValue().hex());
      }
    }
    out.println("  PCR check:   " + pcrCheck);
    out.println("  debug mode:  " + (a.debugMode()
        ? "YES (allowed by --allow-debug): the parent instance can read this enclave's memory"
        : "no"));
  }

  static String describe(Optional<byte[]> value) {
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

  /** The options of {@code keep attestation verify}; its helpers read the other verify commands too. */
  static final class Options {
    Path document;
    Instant at;
    final PcrOptions pcrs = new PcrOptions();
    PcrOptions.Expected expected;
    boolean requirePublicKey;
    Nonce nonce;
    Path localRoot;

    static Options parse(List<String> args) throws PcrOptions.Invalid {
      Options o = new Options();
      for (int i = 0; i < args.size(); i++) {
        int taken = o.pcrs.take(args, i);
        if (taken >= 0) {
          i = taken;
          continue;
        }
        String arg = args.get(i);
        switch (arg) {
          case "--require-public-key" -> o.requirePublicKey = once(o.requirePublicKey, arg);
          case "--document" -> o.document = Path.of(once(o.document, arg, value(args, ++i, arg)));
          case "--local-root" -> o.localRoot = Path.of(once(o.localRoot, arg, value(args, ++i, arg)));
          case "--at" -> o.at = instant(once(o.at, arg, value(args, ++i, arg)));
          case "--nonce" -> o.nonce = nonce(once(o.nonce, arg, value(args, ++i, arg)));
          default -> throw new Usage(arg.startsWith("--") ? "unknown option " + arg : "unexpected argument '" + arg + "'");
        }
      }
      if (o.document == null) {
        throw new Usage("--document FILE is required");
      }
      o.expected = o.pcrs.expected();
      return o;
    }

    static String value(List<String> args, int i, String option) {
      if (i >= args.size()) {
        throw new Usage(option + " needs a value");
      }
      return args.get(i);
    }

    static boolean once(boolean already, String option) {
      if (already) {
        throw new Usage(option + " is given twice");
      }
      return true;
    }

    static String once(Object already, String option, String value) {
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
