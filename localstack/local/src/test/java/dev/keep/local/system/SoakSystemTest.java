package dev.keep.local.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.local.demo.Demo;
import dev.keep.local.stack.LocalStack;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * 2,000 jobs (or {@code -Dkeep.soak.jobs=N}) through the whole local stack, every signature
 * verified independently. Slow (about two and a half minutes), so it runs only with
 * {@code ./mvnw -Psoak verify}. It reports throughput and latency; it asserts only correctness,
 * never timing.
 *
 * <p>It was cut to 500 jobs when moto arrived, because moto 5.2.1 kept every table copy its
 * transactions made; Keep's moto launcher fixes that (localstack/emulators/README.md), and moto's
 * memory stays under 0.3 GB for 5,000 jobs.
 */
@Tag("soak")
class SoakSystemTest {
  @Test
  void manyJobsAllSignedAndVerified() throws Exception {
    int jobs = Integer.getInteger("keep.soak.jobs", 2000);
    try (LocalStack stack = LocalStack.start(LocalStack.Options.defaults())) {
      Demo demo = new Demo(System.out);
      Demo.Report report = demo.run(stack, jobs, Duration.ofMinutes(20));
      demo.print(report);
      assertEquals(jobs, report.jobs().size());
      assertTrue(report.allSignedAndVerified());
    }
  }
}
