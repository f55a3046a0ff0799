package dev.keep.local.cli;

import static dev.keep.local.cli.AttestationCli.Options.once;
import static dev.keep.local.cli.AttestationCli.Options.value;

import dev.keep.enclave.EnclaveMain;
import dev.keep.enclave.attestation.LocalNitroAuthority;
import dev.keep.enclave.attestation.LocalPcrs;
import dev.keep.schema.attestation.AttestationException;
import dev.keep.schema.attestation.AttestationVerifier;
import dev.keep.schema.attestation.KeepUserData;
import dev.keep.schema.attestation.Nonce;
import dev.keep.schema.attestation.TrustedRoot;
import dev.keep.schema.attestation.VerifiedAttestation;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.worker.enclave.EnclaveUnavailableException;
import dev.keep.worker.sealing.SealingFailure;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;

/**
 * {@code keep enclave verify} and {@code keep enclave measure}: attestation of a running enclave.
 *
 * <pre>
 *   keep enclave verify (--cid N [--port 5000] | --local [--data-dir DIR])
 *                       (--pcr0 HEX [--pcr1 HEX] [--pcr2 HEX] | --pcrs FILE [--pcrs FILE ...] | --insecure-no-pcrs)
 *                       [--allow-debug] [--document-out FILE]
 *   keep enclave measure [--image JAR|DIR] [--out FILE]
 * </pre>
 *
 * {@code verify} sends the enclave a fresh 32-byte nonce and checks the document it answers with
 * {@link AttestationVerifier}, at the current time: the chain to the AWS Nitro root ({@code
 * --cid}) or to the local NSM's root in {@code <data-dir>/nitro} ({@code --local}), the expected
 * PCRs, debug mode, the nonce, and that a {@code public_key} is present. Then it checks what the
 * document binds: its {@code public_key} is the RSA key the enclave names for KMS {@code
 * Recipient}, and its {@code user_data} equals {@link KeepUserData} recomputed from the audit key
 * and the policies the enclave lists, so the printed audit key and policies are the ones the
 * attested code holds and enforces.
 *
 * <p>{@code measure} prints the PCRs a local enclave of this build reports, in the JSON shape
 * {@code nitro-cli build-enclave} prints, for {@code verify --pcrs} and {@code kms-policy --pcrs}.
 *
 * <p>Exit status: 0 verified, 1 a check failed or the enclave could not be reached ({@code keep:
 * enclave verify: CHECK: details}), 2 usage.
 */
public final class EnclaveAttestationCli {
  private static final HexFormat HEX = HexFormat.of();
  static final int NONCE_BYTES = 32;

  private final PrintStream out;
  private final PrintStream err;
  private final SecureRandom random;

  public EnclaveAttestationCli(PrintStream out, PrintStream err) {
    this(out, err, new SecureRandom());
  }

  EnclaveAttestationCli(PrintStream out, PrintStream err, SecureRandom random) {
    this.out = out;
    this.err = err;
    this.random = random;
  }

  /** {@code args} starts with the command: {@code verify} or {@code measure}. */
  public int run(List<String> args) throws AttestationCli.Failure {
    return switch (args.getFirst()) {
      case "verify" -> verify(args.subList(1, args.size()));
      case "measure" -> measure(args.subList(1, args.size()));
      default -> throw new AttestationCli.Usage("unknown command " + args.getFirst() + "; one of: verify, measure");
    };
  }

  private int verify(List<String> args) throws AttestationCli.Failure {
    VerifyOptions o = VerifyOptions.parse(args);
    Nonce nonce = freshNonce();
    EnclaveResponse response;
    TrustedRoot root;
    String where;
    try (EnclaveTarget target = o.target(err)) {
      where = target.describe();
      root = o.local ? localRoot(o.dataDir) : TrustedRoot.awsNitro();
      response = target.client().call(new EnclaveRequest.Attest(nonce.hex()));
    } catch (EnclaveUnavailableException e) {
      throw new AttestationCli.Failure("connect: " + e.getMessage()
          + (o.local ? "" : "; is the enclave running? (nitro-cli describe-enclaves)"));
    } catch (SealingFailure e) {
      throw new AttestationCli.Failure("local enclave: " + e.getMessage());
    } catch (IOException e) {
      throw new AttestationCli.Failure("local enclave: " + e.getMessage());
    }
    if (!(response instanceof EnclaveResponse.Attestation attestation)) {
      throw new AttestationCli.Failure("attest: the enclave did not attest: " + Printer.human(response));
    }
    byte[] document = decode("document", attestation.document());
    if (o.documentOut != null) {
      try {
        Files.writeString(o.documentOut, attestation.document() + "\n");
      } catch (IOException e) {
        throw new AttestationCli.Failure("--document-out: cannot write " + o.documentOut + ": " + e.getMessage());
      }
    }
    VerifiedAttestation verified;
    try {
      verified = AttestationVerifier.builder()
          .trustedRoot(root)
          .pcrs(o.expected.policy())
          .allowDebug(o.expected.allowDebug())
          .expectedNonce(nonce)
          .requirePublicKey(true)
          .build()
          .verify(document, Instant.now());
    } catch (AttestationException e) {
      throw new AttestationCli.Failure(e.getMessage());
    }
    Binding binding = checkBinding(verified, attestation);
    out.println("enclave attestation verified: " + where);
    out.println("  mode:        " + attestation.mode());
    AttestationCli.printChecked(out, verified, root, " (now)", o.expected.check());
    out.println("  nonce:       " + NONCE_BYTES + " fresh random bytes from this command, echoed ("
        + nonce.hex().substring(0, 16) + "...)");
    out.println("  public key:  " + binding.publicKey() + " (the enclave's per-boot KMS Recipient key)");
    out.println("  audit key:   " + attestation.auditKey() + " (BIP-340; this boot's, for audit receipts)");
    out.println("  user data:   " + binding.userData() + " = " + KeepUserData.TAG + " over the audit key and "
        + attestation.policies().size() + (attestation.policies().size() == 1 ? " policy" : " policies")
        + " (recomputed, matches)");
    for (EnclaveResponse.PolicyRef p : attestation.policies()) {
      out.printf("    %-20s version %-4d sha256 %s%n", p.keyId(), p.version(), p.hash());
    }
    if (o.documentOut != null) {
      List<String> again = new ArrayList<>(List.of("keep", "attestation", "verify", "--document",
          o.documentOut.toString(), "--nonce", nonce.hex(), "--require-public-key"));
      again.addAll(o.expected.options());
      if (o.local) {
        again.addAll(List.of("--local-root", o.dataDir.resolve("nitro").resolve("local-nitro-root.pem").toString()));
      }
      out.println("  document:    written to " + o.documentOut + " (base64); to check it again later:");
      out.println("    " + String.join(" ", again));
    }
    return 0;
  }

  /** What the document binds, described for people once it is checked. */
  record Binding(String publicKey, String userData) {}

  /**
   * The enclave's answer beside the document must say what the document says: the document's
   * {@code public_key} is the RSA key the answer names, and its {@code user_data} is {@link
   * KeepUserData} of the audit key and the policies listed. Without this, the audit key and
   * policies printed would be the host's word, not the enclave's.
   */
  static Binding checkBinding(VerifiedAttestation verified, EnclaveResponse.Attestation answer)
      throws AttestationCli.Failure {
    byte[] attestedKey = verified.publicKey()
        .orElseThrow(() -> new AttestationCli.Failure("public_key: the document has none"))
        .bytes();
    if (!Arrays.equals(attestedKey, decode("publicKey", answer.publicKey()))) {
      throw new AttestationCli.Failure("public_key: the document's key is not the key the enclave names beside it");
    }
    RSAPublicKey rsa;
    try {
      rsa = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(attestedKey));
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new AttestationCli.Failure("public_key: not an RSA SubjectPublicKeyInfo, which KMS Recipient needs: "
          + e.getMessage());
    }
    Set<String> seen = new HashSet<>();
    for (EnclaveResponse.PolicyRef p : answer.policies()) {
      if (!seen.add(p.keyId())) {
        throw new AttestationCli.Failure("user_data: key " + p.keyId() + " is listed twice among the policies");
      }
    }
    byte[] auditKey;
    try {
      auditKey = HEX.parseHex(answer.auditKey());
    } catch (IllegalArgumentException e) {
      throw new AttestationCli.Failure("auditKey: not hex: " + e.getMessage());
    }
    byte[] expected = KeepUserData.of(auditKey, answer.policies());
    byte[] found = verified.userData()
        .orElseThrow(() -> new AttestationCli.Failure("user_data: the document has none; expected "
            + HEX.formatHex(expected)))
        .bytes();
    if (!Arrays.equals(expected, found)) {
      throw new AttestationCli.Failure("user_data: the document commits to " + HEX.formatHex(found)
          + " but the audit key and the " + answer.policies().size() + " policies listed beside it hash to "
          + HEX.formatHex(expected));
    }
    if (!HEX.formatHex(found).equals(answer.userData())) {
      throw new AttestationCli.Failure("user_data: the enclave's answer names " + answer.userData()
          + " but the document holds " + HEX.formatHex(found));
    }
    return new Binding("RSA-" + rsa.getModulus().bitLength() + ", SHA-256 of its SubjectPublicKeyInfo "
        + HEX.formatHex(sha256(attestedKey)), HEX.formatHex(found));
  }

  private int measure(List<String> args) throws AttestationCli.Failure {
    Path image = null;
    Path outFile = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--image" -> image = Path.of(once(image, arg, value(args, ++i, arg)));
        case "--out" -> outFile = Path.of(once(outFile, arg, value(args, ++i, arg)));
        default -> throw new AttestationCli.Usage(
            arg.startsWith("--") ? "measure does not take " + arg : "unexpected argument '" + arg + "'");
      }
    }
    Path code = image != null ? image : enclaveCode();
    if (!Files.exists(code)) {
      throw new AttestationCli.Failure("--image: " + code + " does not exist");
    }
    SortedMap<Integer, byte[]> pcrs;
    try {
      pcrs = LocalPcrs.ofBuild(code, Path.of(System.getProperty("java.home")));
    } catch (IOException e) {
      throw new AttestationCli.Failure("measure: cannot read " + code + ": " + e.getMessage());
    }
    // The shape nitro-cli build-enclave prints (AWS Nitro Enclaves, "nitro-cli build-enclave").
    String json = """
        {
          "Measurements": {
            "HashAlgorithm": "Sha384 { ... }",
            "PCR0": "%s",
            "PCR1": "%s",
            "PCR2": "%s"
          }
        }
        """.formatted(HEX.formatHex(pcrs.get(0)), HEX.formatHex(pcrs.get(1)), HEX.formatHex(pcrs.get(2)));
    if (outFile == null) {
      out.print(json);
    } else {
      try {
        Files.writeString(outFile, json);
      } catch (IOException e) {
        throw new AttestationCli.Failure("--out: cannot write " + outFile + ": " + e.getMessage());
      }
    }
    err.println("keep: the PCRs a LOCAL enclave of " + code + " reports (not a Nitro image's measurements)"
        + (outFile == null ? "" : "; written to " + outFile));
    return 0;
  }

  private Nonce freshNonce() {
    byte[] bytes = new byte[NONCE_BYTES];
    random.nextBytes(bytes);
    return Nonce.of(bytes);
  }

  private static TrustedRoot localRoot(Path dataDir) throws AttestationCli.Failure {
    Path nitro = dataDir.resolve("nitro");
    try {
      return TrustedRoot.local(LocalNitroAuthority.readRoot(nitro));
    } catch (IOException | GeneralSecurityException e) {
      throw new AttestationCli.Failure("root: the local NSM root in " + nitro + " does not read: " + e.getMessage());
    }
  }

  /** The enclave classes this installation runs locally: its jar, or its classes directory. */
  private static Path enclaveCode() throws AttestationCli.Failure {
    try {
      return Path.of(EnclaveMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new AttestationCli.Failure("measure: cannot locate the enclave build: " + e.getMessage());
    }
  }

  private static byte[] decode(String field, String base64) throws AttestationCli.Failure {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new AttestationCli.Failure(field + ": the enclave's answer is not base64: " + e.getMessage());
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static final class VerifyOptions {
    final PcrOptions pcrs = new PcrOptions();
    PcrOptions.Expected expected;
    Integer cid;
    Integer port;
    boolean local;
    String dataDirOption;
    Path dataDir;
    Path documentOut;

    static VerifyOptions parse(List<String> args) throws AttestationCli.Failure {
      VerifyOptions o = new VerifyOptions();
      try {
        for (int i = 0; i < args.size(); i++) {
          int taken = o.pcrs.take(args, i);
          if (taken >= 0) {
            i = taken;
            continue;
          }
          String arg = args.get(i);
          switch (arg) {
            case "--cid" -> o.cid = number(once(o.cid, arg, value(args, ++i, arg)), arg, 3, Integer.MAX_VALUE);
            case "--port" -> o.port = number(once(o.port, arg, value(args, ++i, arg)), arg, 1, 65_535);
            case "--local" -> o.local = once(o.local, arg);
            case "--data-dir" -> o.dataDirOption = once(o.dataDirOption, arg, value(args, ++i, arg));
            case "--document-out" -> o.documentOut = Path.of(once(o.documentOut, arg, value(args, ++i, arg)));
            default -> throw new AttestationCli.Usage(
                arg.startsWith("--") ? "verify does not take " + arg : "unexpected argument '" + arg + "'");
          }
        }
        o.expected = o.pcrs.expected();
      } catch (PcrOptions.Invalid e) {
        if (e.unreadable) {
          throw new AttestationCli.Failure(e.getMessage());
        }
        throw new AttestationCli.Usage(e.getMessage());
      }
      if (o.local == (o.cid != null)) {
        throw new AttestationCli.Usage(
            "say which enclave: --cid N (a Nitro enclave over vsock) or --local (the development enclave)");
      }
      if (o.local && o.port != null) {
        throw new AttestationCli.Usage("--port goes with --cid; --local needs no port");
      }
      if (!o.local && o.dataDirOption != null) {
        throw new AttestationCli.Usage("--data-dir goes with --local; a Nitro enclave keeps no keys on a disk");
      }
      if (o.local) {
        o.dataDir = EnclaveCli.dataDir(o.dataDirOption);
      }
      return o;
    }

    EnclaveTarget target(PrintStream err) throws IOException, SealingFailure {
      if (local) {
        err.println(String.format(EnclaveCli.LOCAL_WARNING, dataDir));
        return EnclaveTarget.Local.start(dataDir);
      }
      return EnclaveTarget.Vsock.connect(cid, port == null ? 5000 : port);
    }

    private static int number(String value, String option, int min, int max) {
      try {
        int n = Integer.parseInt(value);
        if (n < min || n > max) {
          throw new AttestationCli.Usage(option + " must be " + min + ".." + max + ", got " + n);
        }
        return n;
      } catch (NumberFormatException e) {
        throw new AttestationCli.Usage(option + " must be a number, got '" + value + "'");
      }
    }
  }
}
