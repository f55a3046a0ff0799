package dev.keep.local.cli;

import dev.keep.local.audit.AuditVerifier;
import dev.keep.schema.attestation.AttestationVerifier;
import dev.keep.schema.attestation.TrustedRoot;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code keep audit verify}: checks an audit export offline with {@link AuditVerifier}.
 *
 * <pre>
 *   keep audit verify --export FILE                     (JSON Lines: attestations, receipts, checkpoints)
 *                     (--pcr0 HEX [--pcr1 HEX] [--pcr2 HEX] | --pcrs FILE [--pcrs FILE ...]
 *                      | --insecure-no-pcrs)           (see {@link PcrOptions})
 *                     [--allow-debug] [--local-root PEM] (a software NSM's root instead of AWS's)
 *                     [--partial]                       (the export covers a time range (from/to):
 *                                                        a chain may start after seq 1)
 * </pre>
 *
 * Without {@code --partial}, every (boot, tenant) chain must start at seq 1, as in an export of
 * everything; with it, a chain's first receipt is taken as given and every link from it on is
 * checked ({@link AuditVerifier.Mode#PARTIAL}), and the summary says how many chains started late.
 *
 * <p>Exit status: 0 verified (a summary is printed), 1 a check failed or the file cannot be read
 * ({@code keep: audit: line N (boot …, tenant T, seq S): what}), 2 usage.
 */
public final class AuditCli {
  private final PrintStream out;

  public AuditCli(PrintStream out) {
    this.out = out;
  }

  /** The check failed or the export could not be read; the message follows "keep: audit: ". */
  public static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    Failure(String message) {
      super(message, null, false, false);
    }
  }

  public int run(List<String> args) throws Failure {
    if (args.isEmpty() || !args.getFirst().equals("verify")) {
      throw new AttestationCli.Usage(args.isEmpty()
          ? "keep audit needs a command: verify"
          : "unknown audit command '" + args.getFirst() + "'; one of: verify");
    }
    Path export = null;
    Path localRoot = null;
    AuditVerifier.Mode mode = AuditVerifier.Mode.STRICT;
    PcrOptions pcrs = new PcrOptions();
    PcrOptions.Expected expected;
    List<String> rest = args.subList(1, args.size());
    try {
      for (int i = 0; i < rest.size(); i++) {
        int taken = pcrs.take(rest, i);
        if (taken >= 0) {
          i = taken;
          continue;
        }
        String arg = rest.get(i);
        switch (arg) {
          case "--export" -> export = Path.of(AttestationCli.Options.once(export, arg,
              AttestationCli.Options.value(rest, ++i, arg)));
          case "--local-root" -> localRoot = Path.of(AttestationCli.Options.once(localRoot, arg,
              AttestationCli.Options.value(rest, ++i, arg)));
          case "--partial" -> mode = AuditVerifier.Mode.PARTIAL;
          default -> throw new AttestationCli.Usage(arg.startsWith("--") ? "unknown option " + arg
              : "unexpected argument '" + arg + "'");
        }
      }
      if (export == null) {
        throw new AttestationCli.Usage("--export FILE is required");
      }
      expected = pcrs.expected();
    } catch (PcrOptions.Invalid e) {
      if (e.unreadable) {
        throw new Failure(e.getMessage());
      }
      throw new AttestationCli.Usage(e.getMessage());
    }
    TrustedRoot root;
    try {
      root = localRoot == null ? TrustedRoot.awsNitro() : TrustedRoot.local(Files.readAllBytes(localRoot));
    } catch (IOException | IllegalArgumentException e) {
      throw new Failure("--local-root " + localRoot + ": " + e.getMessage());
    }
    AuditVerifier verifier = new AuditVerifier(AttestationVerifier.builder().trustedRoot(root)
        .pcrs(expected.policy()).allowDebug(expected.allowDebug()).build(), mode);
    AuditVerifier.Summary summary;
    try {
      summary = verifier.verify(export);
    } catch (IOException e) {
      throw new Failure("cannot read " + export + ": " + e.getMessage());
    } catch (AuditVerifier.Failure e) {
      throw new Failure(e.getMessage());
    }
    boolean partial = mode == AuditVerifier.Mode.PARTIAL;
    out.println("audit export verified: " + export + (partial ? " (partial: a time range)" : ""));
    out.println("  root:           " + root);
    out.println("  PCRs:           " + expected.check());
    out.println("  boots:          " + summary.boots()
        + " (each attestation document verified, its user_data committing to the boot's audit key)");
    out.println("  tenants:        " + summary.tenants());
    out.println("  chains:         " + summary.chains() + " (one per boot and tenant)");
    out.println("  receipts:       " + summary.receipts() + " " + summary.decisions() + " for " + summary.jobs()
        + " jobs (every signature, every seq and prev link)");
    out.println("  decided again:  " + summary.decidedAgain()
        + " jobs with more than one receipt (a job decided again, e.g. after a fleet conflict, gets a new one)");
    out.println("  partial chains: " + (partial ? summary.partialChains()
        + " starting after seq 1 (their first receipt's prev taken as given)"
        : "0 (not --partial: every chain starts at seq 1 with prev = 64 zeros)"));
    out.println("  checkpoints:    " + summary.checkpoints() + " (each signed"
        + (summary.earlierCheckpoints() == 0 ? ", each matching its chain)"
            : "; " + summary.earlierCheckpoints() + " about receipts before the range, only signature-checked;"
                + " the rest matching their chains)"));
    out.println("  time range:     " + (summary.from() == null ? "-" : summary.from() + " to " + summary.to()));
    return 0;
  }
}
