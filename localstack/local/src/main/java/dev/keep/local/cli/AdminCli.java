package dev.keep.local.cli;

import dev.keep.api.auth.ApiKeys;
import dev.keep.api.auth.Tenant;
import dev.keep.local.stack.Provisioning;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@code keep admin}: tenant provisioning against the tenants table, wherever the standard AWS
 * configuration points (region, credentials, {@code AWS_ENDPOINT_URL_DYNAMODB} for the local stack).
 *
 * <pre>
 *   keep admin create-api-key --tenant T [--role submitter|auditor] [--rate N]
 * </pre>
 *
 * It makes a 256-bit key, stores only its SHA-256 with the tenant and the role, and prints the key
 * once. An auditor's key reads everything of its tenant (jobs, batches, webhooks, the audit log,
 * attestations) and gets 403 on every route that creates or changes anything. The table is {@code
 * KEEP_TENANTS_TABLE} (default {@code tenants}).
 */
public final class AdminCli {
  private final PrintStream out;
  private final Map<String, String> env;

  public AdminCli(PrintStream out, Map<String, String> env) {
    this.out = out;
    this.env = env;
  }

  public int run(List<String> args) {
    if (args.isEmpty() || !args.getFirst().equals("create-api-key")) {
      throw new AttestationCli.Usage(args.isEmpty() ? "keep admin needs a command: create-api-key"
          : "unknown admin command '" + args.getFirst() + "'; one of: create-api-key");
    }
    String tenant = null;
    Tenant.Role role = Tenant.Role.SUBMITTER;
    int rate = (int) Tenant.DEFAULT_RATE_PER_SECOND;
    for (int i = 1; i < args.size(); i++) {
      String arg = args.get(i);
      String value = i + 1 < args.size() ? args.get(i + 1) : null;
      switch (arg) {
        case "--tenant" -> {
          if (value == null || !value.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new AttestationCli.Usage("--tenant needs a tenant id: 1 to 64 of A-Z a-z 0-9 . _ -");
          }
          tenant = value;
          i++;
        }
        case "--role" -> {
          try {
            role = Tenant.Role.of(value);
          } catch (IllegalArgumentException e) {
            throw new AttestationCli.Usage("--role must be submitter or auditor");
          }
          i++;
        }
        case "--rate" -> {
          try {
            rate = Integer.parseInt(value);
          } catch (NumberFormatException | NullPointerException e) {
            rate = 0;
          }
          if (rate < 1 || rate > 100_000) {
            throw new AttestationCli.Usage("--rate must be 1..100000 requests a second");
          }
          i++;
        }
        default -> throw new AttestationCli.Usage("unknown option for admin create-api-key: " + arg);
      }
    }
    if (tenant == null) {
      throw new AttestationCli.Usage("admin create-api-key needs --tenant");
    }
    String table = env.getOrDefault("KEEP_TENANTS_TABLE", "tenants");
    String key = ApiKeys.generate(role == Tenant.Role.AUDITOR ? "keep_audit_" : "keep_");
    try (DynamoDbClient dynamo = DynamoDbClient.create()) {
      Provisioning.createApiKey(dynamo, table, tenant, key, role, rate);
    }
    out.println("api key:  " + key);
    out.println("tenant:   " + tenant);
    out.println("role:     " + role.wireName() + (role == Tenant.Role.AUDITOR
        ? " (reads only: 403 on every route that creates or changes anything)" : ""));
    out.println("stored:   its SHA-256 only, in table " + table + "; this is the only time the key is shown");
    return 0;
  }
}
