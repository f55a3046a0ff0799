package dev.keep.local.stack;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Counts the AWS requests the local stack's SDK clients send, by component, service and operation
 * ({@code worker DynamoDB TransactWriteItems}): what a job costs in requests, and so in dollars.
 * Counted where the SDK sends each HTTP request, so SDK retries count too, as AWS bills them.
 */
public final class AwsRequestCounter {
  private static final software.amazon.awssdk.core.interceptor.ExecutionAttribute<Long> SENT =
      new software.amazon.awssdk.core.interceptor.ExecutionAttribute<>("keep.sentNanos");
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> nanos = new ConcurrentHashMap<>();

  /** An interceptor that counts {@code component}'s requests here, and the time each took. */
  public ExecutionInterceptor interceptor(String component) {
    return new ExecutionInterceptor() {
      @Override
      public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        counts.computeIfAbsent(name(component, attributes), k -> new LongAdder()).increment();
        attributes.putAttribute(SENT, System.nanoTime());
      }

      @Override
      public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
        Long sent = attributes.getAttribute(SENT);
        if (sent != null) {
          nanos.computeIfAbsent(name(component, attributes), k -> new LongAdder()).add(System.nanoTime() - sent);
        }
      }
    };
  }

  /** "worker DynamoDB TransactWriteItems": AWS's own service names, as its bills spell them. */
  private static String name(String component, ExecutionAttributes attributes) {
    String service = switch (attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME)) {
      case "DynamoDb" -> "DynamoDB";
      case "Sqs" -> "SQS";
      case "Kms" -> "KMS";
      case String other -> other;
    };
    return component + " " + service + " " + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
  }

  /** Milliseconds spent waiting on each kind of request so far, by "component service operation". */
  public Map<String, Double> millis() {
    Map<String, Double> out = new TreeMap<>();
    nanos.forEach((k, v) -> out.put(k, v.sum() / 1e6));
    return out;
  }

  /** Every count so far, by "component service operation". */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** The counts made between two snapshots. */
  public static Map<String, Long> since(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> out = new TreeMap<>();
    after.forEach((k, v) -> {
      long d = v - before.getOrDefault(k, 0L);
      if (d > 0) {
        out.put(k, d);
      }
    });
    return out;
  }
}
