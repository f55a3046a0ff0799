package dev.keep.local.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.local.system.TestStacks;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The harness behind the README's unseal figures runs, and what it claims holds: after an
 * enclave restart every key is back in the new enclave (the harness checks the enclave's key list
 * itself and throws otherwise), with exactly one KMS call per key. No timing is asserted.
 */
class UnsealBenchTest {
  @Test
  void aRestartUnsealsEveryKey_withOneKmsCallPerKey() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new UnsealBench(new PrintStream(out, true, StandardCharsets.UTF_8), TestStacks.onSharedMoto(UnsealBenchTest.class))
        .run(List.of(3, 1), 1);
    String report = out.toString(StandardCharsets.UTF_8);
    assertTrue(report.contains("baseline, same run: one KMS Decrypt with Recipient"), report);
    assertTrue(Pattern.compile("\n\\| 1 \\| .* \\| 1 \\(1\\.00 per key\\) \\|").matcher(report).find(), report);
    assertTrue(Pattern.compile("\n\\| 3 \\| .* \\| 3 \\(1\\.00 per key\\) \\|").matcher(report).find(), report);
  }
}
