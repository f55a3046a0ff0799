package dev.keep.enclave.nsm;

import java.security.Provider;
import java.security.ProviderException;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import java.util.Objects;

/**
 * A {@link SecureRandom} whose every byte comes from the NSM's GetRandom, so code that takes a
 * SecureRandom (key generation, BIP-340 auxiliary randomness) uses the NSM unchanged.
 *
 * <p>It never falls back to another source: when the NSM fails, {@link #nextBytes} throws a {@link
 * ProviderException} (SecureRandom's methods cannot throw checked exceptions) and the output array
 * holds no random bytes.
 */
public final class NsmSecureRandom extends SecureRandom {
  private static final long serialVersionUID = 1L;

  /** A provider that only names the source in {@link #getProvider()}; it is not registered. */
  private static final Provider PROVIDER =
      new Provider("KeepNSM", "1.0", "Nitro Security Module GetRandom") {
        private static final long serialVersionUID = 1L;
      };

  public NsmSecureRandom(NsmClient client) {
    super(new Spi(Objects.requireNonNull(client, "client")), PROVIDER);
  }

  @Override
  public String getAlgorithm() {
    return "NSM-GetRandom";
  }

  private static final class Spi extends SecureRandomSpi {
    private static final long serialVersionUID = 1L;

    private final transient NsmClient client;

    Spi(NsmClient client) {
      this.client = client;
    }

    /**
     * Ignored: the NSM takes no seed. SecureRandom's contract is that a seed supplements the state
     * and never replaces it, so dropping it does not weaken the output.
     */
    @Override
    protected void engineSetSeed(byte[] seed) {}

    @Override
    protected void engineNextBytes(byte[] bytes) {
      try {
        client.fillRandom(bytes);
      } catch (NsmException e) {
        throw new ProviderException("NSM GetRandom failed: " + e.getMessage(), e);
      }
    }

    /** Seed material is NSM output as well, drawn fresh for each call. */
    @Override
    protected byte[] engineGenerateSeed(int numBytes) {
      try {
        return client.getRandom(numBytes);
      } catch (NsmException e) {
        throw new ProviderException("NSM GetRandom failed: " + e.getMessage(), e);
      }
    }

    @Override
    public String toString() {
      return "NSM GetRandom";
    }
  }
}
