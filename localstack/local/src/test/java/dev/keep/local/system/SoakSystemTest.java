package dev.keep.local.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.local.demo.Demo;
import dev.keep.local.stack.LocalStack;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * 500 jobs (or {@code -Dkeep.soak.jobs=N}) through the whole local stack, every signature verified
 * independently. Slow (about three minutes), so it runs only with {@code ./mvnw -Psoak verify}. It
 * reports throughput and latency; it asserts only correctness, never timing.
 *
 * <p>It was 2,000 jobs on DynamoDB Local. On moto, the local DynamoDB since issue 16, memory grows
 * with the square of the jobs (moto 5.2.1 keeps every table copy a TransactWriteItems makes; see
 * localstack/emulators/README.md): 500 jobs peak at about 3.4 GB, and 2,000 exhausted 24 GB.
 */
@Tag("soak")
class SoakSystemTest {
  @Test
  void manyJobsAllSignedAndVerified() throws Exception {
    int jobs = Integer.getInteger("keep.soak.jobs", 500);
    try (LocalStack stack = LocalStack.start(LocalStack.Options.defaults())) {
      Demo demo = new Demo(System.out);
      Demo.Report report = demo.run(stack, jobs, Duration.ofMinutes(20));
      demo.print(report);
      assertEquals(jobs, report.jobs().size());
      assertTrue(report.allSignedAndVerified());
    }
  }
}
