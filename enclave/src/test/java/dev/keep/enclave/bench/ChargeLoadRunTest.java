package dev.keep.enclave.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A load run of 100,000 charges on one key, on a simulated clock (a week of signatures, one every
 * six seconds): the same frame as {@link ChargeBenchmark}, timed in windows of 1,000 charges. It
 * prints the cost of a charged signature, state sealed, at 10, 1,000, 10,000 and 100,000 earlier
 * charges, and the sealed state's size; it asserts the size, never a time.
 *
 * <pre>./mvnw -pl enclave -am -Psoak test -Dtest=ChargeLoadRunTest -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@Tag("soak")
class ChargeLoadRunTest {

  @Test
  void oneHundredThousandCharges_costTheSame_andTheStateStaysSmall() throws Exception {
    ChargeBenchmark run = new ChargeBenchmark();
    run.history = 0;
    run.setUp();
    int total = 100_000;
    int window = 1_000;
    long[] windowNanos = new long[total / window];
    int[] stateSizes = new int[total / window];
    // Warm the JIT up on a key of its own, so the first window is not the compiler's.
    ChargeBenchmark warm = new ChargeBenchmark();
    warm.history = 0;
    warm.setUp();
    for (int i = 0; i < 20_000; i++) {
      warm.chargedSignature();
    }
    for (int w = 0; w < windowNanos.length; w++) {
      long start = System.nanoTime();
      for (int i = 0; i < window; i++) {
        run.chargedSignature();
        run.advanceSeconds(6);
      }
      windowNanos[w] = System.nanoTime() - start;
      stateSizes[w] = run.chargedSignature().ciphertext().length();
    }
    List<String> lines = new ArrayList<>();
    for (int at : new int[] {0, 1, 10, 99}) {
      lines.add(String.format("after %,7d charges: %6.1f µs a charged signature (window of 1,000), state %,d base64 chars",
          at * window + (at == 0 ? 10 : 0), windowNanos[at] / 1_000.0 / window, stateSizes[at]));
    }
    double drift = (double) windowNanos[99] / windowNanos[0];
    lines.add(String.format("drift, 100,000 against the first 1,000: %.2fx", drift));
    System.out.println("ChargeLoadRunTest:\n  " + String.join("\n  ", lines));
    int largest = java.util.Arrays.stream(stateSizes).max().orElseThrow();
    assertTrue(largest < 16 * 1024, "the sealed state stays a few KiB: " + largest);
  }
}
