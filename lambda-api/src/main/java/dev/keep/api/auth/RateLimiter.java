package dev.keep.api.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per tenant, at the rate set on the tenant's item. It counts the requests of this
 * process only: in AWS each Lambda execution environment keeps its own buckets, so a tenant can
 * reach up to (environments × rate). The function's reserved concurrency bounds the environments;
 * a limit shared by every environment would cost a DynamoDB write per request, and is not built.
 */
public final class RateLimiter {
  private final LongSupplier nanos;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimiter() {
    this(System::nanoTime);
  }

  public RateLimiter(LongSupplier nanos) {
    this.nanos = nanos;
  }

  /** 0 when the request may go ahead, else the whole seconds to wait before a token is free. */
  public long secondsToWait(Tenant tenant) {
    return buckets.computeIfAbsent(tenant.tenantId(), id -> new Bucket(tenant.burst(), nanos.getAsLong()))
        .take(tenant.ratePerSecond(), tenant.burst(), nanos.getAsLong());
  }

  private static final class Bucket {
    private double tokens;
    private long at;

    Bucket(int burst, long now) {
      this.tokens = burst;
      this.at = now;
    }

    synchronized long take(double rate, int burst, long now) {
      tokens = Math.min(burst, tokens + (now - at) / 1e9 * rate);
      at = now;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((1 - tokens) / rate));
    }
  }
}
