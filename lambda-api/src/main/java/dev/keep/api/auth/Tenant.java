package dev.keep.api.auth;

/**
 * An authenticated caller, with its request rate (a token bucket refilled {@code ratePerSecond}
 * times a second that holds at most {@code burst} requests) and the role of its API key.
 */
public record Tenant(String tenantId, double ratePerSecond, int burst, Role role) {
  /** What an API key may do. */
  public enum Role {
    /** Submits and reads jobs, batches, webhooks and the audit log: every route. */
    SUBMITTER("submitter"),
    /** Reads only: every route that creates or changes anything answers 403. */
    AUDITOR("auditor");

    private final String wireName;

    Role(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }

    /** The role a tenants item names; absent means submitter, as keys made before roles existed. */
    public static Role of(String wireName) {
      if (wireName == null) {
        return SUBMITTER;
      }
      for (Role r : values()) {
        if (r.wireName.equals(wireName)) {
          return r;
        }
      }
      throw new IllegalArgumentException("role: must be submitter or auditor, got '" + wireName + "'");
    }
  }

  public Tenant(String tenantId, double ratePerSecond, int burst) {
    this(tenantId, ratePerSecond, burst, Role.SUBMITTER);
  }

  /** The rate of a tenant whose item sets none. */
  public static final double DEFAULT_RATE_PER_SECOND = 100;
  public static final int DEFAULT_BURST = 200;

  public Tenant {
    if (!(ratePerSecond > 0) || burst < 1) {
      throw new IllegalArgumentException("tenant " + tenantId + ": rate must be positive and burst at least 1");
    }
    java.util.Objects.requireNonNull(role, "role");
  }

  public static Tenant withDefaultRate(String tenantId) {
    return new Tenant(tenantId, DEFAULT_RATE_PER_SECOND, DEFAULT_BURST);
  }
}
