package dev.keep.enclave.nsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.ProviderException;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NsmSecureRandomTest {
  @Test
  void nextBytes_comeFromTheNsm() {
    SecureRandom random = new NsmSecureRandom(new NsmClient(new SoftwareNsm(256)));
    byte[] bytes = new byte[300];
    random.nextBytes(bytes);
    assertArrayEquals(NsmClientTest.counting(300), bytes);
  }

  @Test
  void generateSeed_comesFromTheNsm() {
    SoftwareNsm nsm = new SoftwareNsm(256);
    SecureRandom random = new NsmSecureRandom(new NsmClient(nsm));
    assertArrayEquals(NsmClientTest.counting(20), random.generateSeed(20));
    assertEquals(1, nsm.requests().size());
  }

  @Test
  void setSeed_isIgnoredAndMakesNoCall() {
    SoftwareNsm nsm = new SoftwareNsm(256);
    SecureRandom random = new NsmSecureRandom(new NsmClient(nsm));
    random.setSeed(new byte[] {1, 2, 3});
    random.setSeed(42L);
    assertEquals(0, nsm.requests().size());
    byte[] bytes = new byte[4];
    random.nextBytes(bytes);
    assertArrayEquals(NsmClientTest.counting(4), bytes);
  }

  @Test
  void derivedValues_useNsmBytes() {
    SoftwareNsm nsm = new SoftwareNsm(256);
    SecureRandom random = new NsmSecureRandom(new NsmClient(nsm));
    // SecureRandom.next(32) reads 4 bytes big-endian: 0x01020304.
    assertEquals(0x01020304, random.nextInt());
    assertEquals(1, nsm.requests().size());
  }

  @Test
  void nsmFailure_throwsAndLeavesTheOutputZero() {
    SoftwareNsm nsm =
        new SoftwareNsm(8)
            .thenReply(
                SoftwareNsm.variant("GetRandom", "random", new byte[] {5, 5, 5, 5, 5, 5, 5, 5}))
            .thenReply(SoftwareNsm.error("InternalError"));
    SecureRandom random = new NsmSecureRandom(new NsmClient(nsm));
    byte[] bytes = new byte[16];
    var e = assertThrows(ProviderException.class, () -> random.nextBytes(bytes));
    assertArrayEquals(new byte[16], bytes);
    assertInstanceOf(NsmException.ErrorResponse.class, e.getCause());
    assertEquals("NSM GetRandom failed: the NSM refused GetRandom: InternalError", e.getMessage());
  }

  @Test
  void generateSeed_failure_throwsProviderException() {
    SoftwareNsm nsm = new SoftwareNsm(8).thenReply(new byte[] {0x00});
    SecureRandom random = new NsmSecureRandom(new NsmClient(nsm));
    assertThrows(ProviderException.class, () -> random.generateSeed(4));
  }

  @Test
  void namesItselfWithoutShowingState() {
    SecureRandom random = new NsmSecureRandom(new NsmClient(new SoftwareNsm(256)));
    assertEquals("NSM-GetRandom", random.getAlgorithm());
    assertEquals("KeepNSM", random.getProvider().getName());
    assertEquals("NSM GetRandom", random.toString());
  }

  @Test
  void bytesDoNotRepeatAcrossCalls() {
    SecureRandom random = new NsmSecureRandom(new NsmClient(new SoftwareNsm(256)));
    byte[] a = new byte[32];
    byte[] b = new byte[32];
    random.nextBytes(a);
    random.nextBytes(b);
    assertFalse(Arrays.equals(a, b));
    assertTrue(a[0] != 0 && b[0] != 0);
  }
}
