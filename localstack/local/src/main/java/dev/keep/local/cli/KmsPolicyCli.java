package dev.keep.local.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.keep.schema.attestation.Pcr;
import dev.keep.schema.attestation.PcrSet;
import dev.keep.schema.attestation.PcrsJson;
import dev.keep.schema.encoding.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * {@code keep enclave kms-policy}: the production KMS key policy for Keep's sealing key, filled in
 * from the template {@code enclave/build/kms-policy.json}.
 *
 * <pre>
 *   keep enclave kms-policy --pcrs pcrs.json [--pcrs more.json ...] --role-arn ARN --admin-arn ARN
 * </pre>
 *
 * <ul>
 *   <li>{@code --pcrs}: PCR0, PCR1 and PCR2 of an enclave build, as {@code nitro-cli build-enclave}
 *       prints them or flat {@code {"PCR0": ...}} ({@link PcrsJson}). One Allow statement per file,
 *       so a rollout can allow the old build and the new one;
 *   <li>{@code --role-arn}: the enclave host's IAM role, which may Decrypt and GenerateDataKey only
 *       with a Recipient attestation document whose PCR0..2 match one of the files;
 *   <li>{@code --admin-arn}: the role that administers the key, which gets key-management actions
 *       only (never Encrypt, Decrypt, GenerateDataKey or CreateGrant).
 * </ul>
 *
 * The template's third statement denies Decrypt and GenerateDataKey to anyone when the request has
 * no attestation document ({@code Null} on {@code kms:RecipientAttestation:ImageSha384}), so the
 * host itself never sees a data key. The policy goes to stdout. Exit status: 0 printed, 1 a PCR
 * file cannot be used, 2 usage. Every error names the flag it is about.
 *
 * <p>The template has one source of truth, {@code enclave/build/kms-policy.json}; the keep-local
 * build copies it onto the classpath next to this class.
 */
public final class KmsPolicyCli {
  static final String TEMPLATE = "kms-policy.json";
  static final String USAGE =
      "usage: keep enclave kms-policy --pcrs FILE [--pcrs FILE ...] --role-arn ARN --admin-arn ARN";

  private static final JsonMapper JSON = Json.builder().build();
  private static final Pattern IAM_ARN =
      Pattern.compile("arn:aws(-cn|-us-gov)?:iam::\\d{12}:(root|(role|user)/[\\w+=,.@/-]{1,512})");
  private static final Pattern PCR_PLACEHOLDER = Pattern.compile("\\$\\{PCR[0-2]}");

  private KmsPolicyCli() {}

  /**
   * Runs {@code keep enclave kms-policy}; {@code args} are the words after "kms-policy".
   *
   * @return 0 when the policy was printed, 1 when a PCR file cannot be used, 2 for a usage error
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    try {
      Options options = Options.parse(args);
      if (options.help) {
        out.println(USAGE);
        return 0;
      }
      List<PcrSet> sets = new ArrayList<>();
      for (Path file : options.pcrFiles) {
        PcrSet set = read(file);
        for (int i = 0; i < sets.size(); i++) {
          if (sameImage(sets.get(i), set)) {
            throw new Failure(
                "--pcrs " + file + ": the same PCR0..2 as --pcrs " + options.pcrFiles.get(i));
          }
        }
        sets.add(set);
      }
      out.println(render(options.adminArn, options.roleArn, sets));
      return 0;
    } catch (Usage e) {
      err.println("keep: enclave kms-policy: " + e.getMessage());
      err.println(USAGE);
      return 2;
    } catch (Failure e) {
      err.println("keep: enclave kms-policy: " + e.getMessage());
      return 1;
    }
  }

  /**
   * The template filled in: the enclave statement once per PCR set (Sid numbered from 1 when there
   * are several), the ARNs everywhere they are named, PCRs in lower-case hex.
   *
   * @throws IllegalArgumentException when {@code sets} is empty
   */
  public static String render(String adminArn, String roleArn, List<PcrSet> sets) {
    if (sets.isEmpty()) {
      throw new IllegalArgumentException("sets: at least one PCR set");
    }
    ObjectNode policy = (ObjectNode) readTemplate();
    ArrayNode statements = JSON.createArrayNode();
    for (JsonNode statement : policy.get("Statement")) {
      if (!PCR_PLACEHOLDER.matcher(statement.toString()).find()) {
        statements.add(statement);
        continue;
      }
      for (int i = 0; i < sets.size(); i++) {
        PcrSet set = sets.get(i);
        JsonNode copy =
            substitute(
                statement.deepCopy(),
                text ->
                    text.replace("${PCR0}", hex(set, 0))
                        .replace("${PCR1}", hex(set, 1))
                        .replace("${PCR2}", hex(set, 2)));
        if (sets.size() > 1) {
          ((ObjectNode) copy).put("Sid", copy.path("Sid").asText() + (i + 1));
        }
        statements.add(copy);
      }
    }
    policy.set("Statement", statements);
    JsonNode filled =
        substitute(
            policy,
            text ->
                text.replace("${ADMIN_ROLE_ARN}", adminArn)
                    .replace("${ENCLAVE_ROLE_ARN}", roleArn));
    if (filled.toString().contains("${")) {
      throw new IllegalStateException(
          TEMPLATE + " has a placeholder this command does not fill: " + filled);
    }
    try {
      return JSON.writer(prettyPrinter()).writeValueAsString(filled);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static PcrSet read(Path file) throws Failure {
    PcrSet set;
    try {
      set = PcrsJson.read(file);
    } catch (IOException e) {
      throw new Failure("--pcrs " + file + ": cannot be read (" + e + ")");
    } catch (PcrsJson.InvalidPcrsJson e) {
      throw new Failure("--pcrs " + e.getMessage());
    }
    for (int index = 0; index <= 2; index++) {
      if (set.get(index).isEmpty()) {
        throw new Failure(
            "--pcrs " + file + ": has no PCR" + index + "; the policy pins PCR0, PCR1 and PCR2");
      }
    }
    if (set.isDebugMode()) {
      throw new Failure(
          "--pcrs "
              + file
              + ": PCR0, PCR1 and PCR2 are all zero, a debug-mode enclave whose memory the parent"
              + " can read; a production key policy must not allow it");
    }
    return set;
  }

  private static boolean sameImage(PcrSet a, PcrSet b) {
    for (int index = 0; index <= 2; index++) {
      if (!a.get(index).equals(b.get(index))) {
        return false;
      }
    }
    return true;
  }

  private static String hex(PcrSet set, int index) {
    return set.get(index).map(Pcr::hex).orElseThrow();
  }

  private static JsonNode readTemplate() {
    try (InputStream in = KmsPolicyCli.class.getResourceAsStream(TEMPLATE)) {
      if (in == null) {
        throw new IllegalStateException(
            TEMPLATE
                + " is not on the classpath (the keep-local build copies enclave/build/"
                + TEMPLATE
                + ")");
      }
      return JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code node} with {@code change} applied to every string value (names stay as they are). */
  private static JsonNode substitute(JsonNode node, UnaryOperator<String> change) {
    if (node.isTextual()) {
      return TextNode.valueOf(change.apply(node.textValue()));
    }
    if (node.isArray()) {
      ArrayNode array = JSON.createArrayNode();
      node.forEach(element -> array.add(substitute(element, change)));
      return array;
    }
    if (node.isObject()) {
      ObjectNode object = JSON.createObjectNode();
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        object.set(field.getKey(), substitute(field.getValue(), change));
      }
      return object;
    }
    return node;
  }

  /** Two-space indents, one array element per line, {@code "key": value}. */
  private static DefaultPrettyPrinter prettyPrinter() {
    DefaultPrettyPrinter printer =
        new DefaultPrettyPrinter()
            .withSeparators(
                Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER));
    printer.indentArraysWith(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE);
    return printer;
  }

  /** The command line cannot be run as written: exit status 2. */
  private static final class Usage extends Exception {
    private static final long serialVersionUID = 1L;

    Usage(String message) {
      super(message);
    }
  }

  /** A PCR file cannot be used: exit status 1. */
  private static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    Failure(String message) {
      super(message);
    }
  }

  private static final class Options {
    final List<Path> pcrFiles = new ArrayList<>();
    String roleArn;
    String adminArn;
    boolean help;

    static Options parse(String[] args) throws Usage {
      Options options = new Options();
      for (int i = 0; i < args.length; i++) {
        String flag = args[i];
        switch (flag) {
          case "--help", "-h" -> options.help = true;
          case "--pcrs" -> options.pcrFiles.add(Path.of(value(args, ++i, flag)));
          case "--role-arn" -> options.roleArn = arn(options.roleArn, args, ++i, flag);
          case "--admin-arn" -> options.adminArn = arn(options.adminArn, args, ++i, flag);
          default -> throw new Usage("unknown option '" + flag + "'");
        }
      }
      if (options.help) {
        return options;
      }
      if (options.pcrFiles.isEmpty()) {
        throw new Usage("--pcrs: required, a PCR file of the enclave build (nitro-cli output)");
      }
      if (options.roleArn == null) {
        throw new Usage("--role-arn: required, the enclave host's IAM role ARN");
      }
      if (options.adminArn == null) {
        throw new Usage("--admin-arn: required, the IAM ARN that administers the key");
      }
      if (options.roleArn.equals(options.adminArn)) {
        throw new Usage(
            "--admin-arn: must not be the --role-arn; the host that relays to the enclave must not"
                + " also be able to rewrite the key policy");
      }
      return options;
    }

    private static String value(String[] args, int i, String flag) throws Usage {
      if (i >= args.length || args[i].startsWith("--")) {
        throw new Usage(flag + ": needs a value");
      }
      return args[i];
    }

    private static String arn(String previous, String[] args, int i, String flag) throws Usage {
      if (previous != null) {
        throw new Usage(flag + ": given twice");
      }
      String arn = value(args, i, flag);
      if (!IAM_ARN.matcher(arn).matches()) {
        throw new Usage(
            flag
                + ": '"
                + arn
                + "' is not an IAM ARN such as arn:aws:iam::111122223333:role/keep-enclave-host");
      }
      return arn;
    }
  }
}
