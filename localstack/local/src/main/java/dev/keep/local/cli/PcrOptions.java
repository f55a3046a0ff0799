package dev.keep.local.cli;

import dev.keep.schema.attestation.Pcr;
import dev.keep.schema.attestation.PcrPolicy;
import dev.keep.schema.attestation.PcrSet;
import dev.keep.schema.attestation.PcrsJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The options that say what a verify command expects of a document, shared by {@code keep
 * attestation verify} (a saved document) and {@code keep enclave verify} (a live one):
 *
 * <pre>
 *   --pcr0 HEX [--pcr1 HEX] [--pcr2 HEX]     one allowed set
 *   --pcrs FILE [--pcrs FILE ...]            any one of these sets (a rollout); nitro-cli's JSON or flat
 *   --insecure-no-pcrs | --no-pcr-check      no PCR check at all, said out loud
 *   --allow-debug                            accept all-zero PCRs (debug mode)
 * </pre>
 *
 * Exactly one of the three ways must be given: there is no default, because a verifier that
 * checks no PCRs proves only that some enclave answered.
 */
final class PcrOptions {
  private final Map<Integer, Pcr> flags = new TreeMap<>();
  private final List<PcrSet> files = new ArrayList<>();
  private final List<String> given = new ArrayList<>();
  private String noCheck;
  private boolean allowDebug;

  /**
   * A PCR option that cannot be used: as written (a usage problem, exit status 2), or because its
   * file does not read as a PCR set ({@link #unreadable}, exit status 1).
   */
  static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;
    /** True when the option is well formed but its file cannot be read or is not a PCR set. */
    final boolean unreadable;

    Invalid(String message, boolean unreadable) {
      super(message);
      this.unreadable = unreadable;
    }
  }

  /**
   * Takes {@code args[i]} (and its value) when it is one of these options.
   *
   * @return the index of the last argument taken, or -1 when {@code args[i]} is not a PCR option
   */
  int take(List<String> args, int i) throws Invalid {
    int last = read(args, i);
    if (last >= 0) {
      given.addAll(args.subList(i, last + 1));
    }
    return last;
  }

  private int read(List<String> args, int i) throws Invalid {
    String arg = args.get(i);
    switch (arg) {
      case "--allow-debug" -> {
        if (allowDebug) {
          throw new Invalid(arg + " is given twice", false);
        }
        allowDebug = true;
        return i;
      }
      case "--no-pcr-check", "--insecure-no-pcrs" -> {
        if (noCheck != null) {
          throw new Invalid(arg + " is given twice", false);
        }
        noCheck = arg;
        return i;
      }
      case "--pcr0", "--pcr1", "--pcr2" -> {
        int index = arg.charAt(arg.length() - 1) - '0';
        String hex = value(args, i + 1, arg);
        if (flags.containsKey(index)) {
          throw new Invalid(arg + " is given twice", false);
        }
        try {
          flags.put(index, Pcr.fromHex(hex));
        } catch (IllegalArgumentException e) {
          throw new Invalid(arg + ": " + e.getMessage(), false);
        }
        return i + 1;
      }
      case "--pcrs" -> {
        Path file = Path.of(value(args, i + 1, arg));
        try {
          files.add(PcrsJson.read(file));
        } catch (IOException e) {
          throw new Invalid("cannot read " + file + ": " + e, true);
        } catch (PcrsJson.InvalidPcrsJson e) {
          throw new Invalid("--pcrs " + e.getMessage(), true);
        }
        return i + 1;
      }
      default -> {
        return -1;
      }
    }
  }

  /**
   * What a document must show: the PCR check, how to name it, whether debug mode passes, and the
   * options that said so (to print a command that checks the same again).
   */
  record Expected(PcrPolicy policy, String check, boolean allowDebug, List<String> options) {
    Expected {
      options = List.copyOf(options);
    }
  }

  /** The expectation, once every argument is read; a usage problem when it is missing or mixed. */
  Expected expected() throws Invalid {
    int ways = (flags.isEmpty() ? 0 : 1) + (files.isEmpty() ? 0 : 1) + (noCheck == null ? 0 : 1);
    if (ways == 0) {
      throw new Invalid("say which PCRs to expect: --pcr0/--pcr1/--pcr2 HEX, --pcrs FILE, or --insecure-no-pcrs", false);
    }
    if (ways > 1) {
      throw new Invalid("--pcr0/--pcr1/--pcr2, --pcrs and " + (noCheck == null ? "--insecure-no-pcrs" : noCheck)
          + " exclude each other", false);
    }
    if (noCheck != null) {
      return new Expected(PcrPolicy.insecureNoCheck(), "NOT CHECKED (" + noCheck + ")", allowDebug, given);
    }
    List<PcrSet> sets = flags.isEmpty() ? files : List.of(PcrSet.of(flags));
    return new Expected(PcrPolicy.anyOf(sets),
        sets.size() == 1 ? "matches the expected PCRs" : "matches one of the " + sets.size() + " allowed sets",
        allowDebug, given);
  }

  private static String value(List<String> args, int i, String option) throws Invalid {
    if (i >= args.size()) {
      throw new Invalid(option + " needs a value", false);
    }
    return args.get(i);
  }
}
