package dev.keep.api.auth;

/**
 * An authenticated caller, with its request rate: a token bucket refilled {@code ratePerSecond}
 * times a second that holds at most {@code burst} requests.
 */
public record Tenant(String tenantId, double ratePerSecond, int burst) {
  /** The rate of a tenant whose item sets none. */
  public static final double DEFAULT_RATE_PER_SECOND = 100;
  public static final int DEFAULT_BURST = 200;

  public Tenant {
    if (!(ratePerSecond > 0) || burst < 1) {
      throw new IllegalArgumentException("tenant " + tenantId + ": rate must be positive and burst at least 1");
    }
  }

  public static Tenant withDefaultRate(String tenantId) {
    return new Tenant(tenantId, DEFAULT_RATE_PER_SECOND, DEFAULT_BURST);
  }
}
