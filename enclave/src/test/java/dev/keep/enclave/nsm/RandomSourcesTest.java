package dev.keep.enclave.nsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class RandomSourcesTest {
  @Test
  void localMode_usesTheOsGenerator() throws Exception {
    SecureRandom random = RandomSources.forMode(true);
    assertFalse(random instanceof NsmSecureRandom);
  }

  @Test
  void enclaveMode_withoutDevNsm_failsClearly() {
    assumeFalse(Files.exists(NsmDriver.DEFAULT_PATH), "this machine has an NSM");
    var e = assertThrows(NsmException.SystemCallFailed.class, () -> RandomSources.forMode(false));
    assertEquals(
        "no /dev/nsm: not running inside a Nitro Enclave (open(/dev/nsm): ENOENT (2): no such"
            + " file)",
        e.getMessage());
  }
}
