package dev.keep.enclave.nsm;

import java.security.SecureRandom;
import java.util.Arrays;

/** Chooses the enclave's randomness: the NSM inside a Nitro Enclave, the OS in local mode. */
public final class RandomSources {
  private RandomSources() {}

  /**
   * In local mode, the OS generator ({@code new SecureRandom()}: NativePRNG, reading /dev/urandom).
   * Not {@code getInstanceStrong()}, which on Linux reads /dev/random and could block on kernels
   * before 5.6.
   *
   * <p>Otherwise an {@link NsmSecureRandom} over {@code /dev/nsm}, which is opened for the life of
   * the process and checked with one GetRandom call now, so a broken device stops the enclave at
   * start rather than at its first key. There is no fallback to the OS generator.
   *
   * @throws NsmException if {@code /dev/nsm} is missing ("no /dev/nsm: not running inside a Nitro
   *     Enclave") or does not answer GetRandom
   */
  public static SecureRandom forMode(boolean local) throws NsmException {
    if (local) {
      return new SecureRandom();
    }
    return new NsmSecureRandom(openNsm());
  }

  /**
   * {@code /dev/nsm}, opened for the life of the process and checked with one GetRandom call, so a
   * broken device stops the enclave at start; the device is closed again if the check fails.
   */
  public static NsmClient openNsm() throws NsmException {
    NsmDriver driver = NsmDriver.open(NsmDriver.DEFAULT_PATH);
    try {
      NsmClient client = new NsmClient(driver);
      Arrays.fill(client.getRandom(1), (byte) 0);
      return client;
    } catch (NsmException | RuntimeException e) {
      try {
        driver.close();
      } catch (NsmException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }
}
