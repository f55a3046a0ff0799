package dev.keep.emulators.kms;

import dev.keep.enclave.attestation.LocalNitroAuthority;
import dev.keep.enclave.attestation.LocalNsm;
import dev.keep.enclave.attestation.LocalPcrs;
import dev.keep.enclave.nsm.NsmClient;
import dev.keep.schema.attestation.TrustedRoot;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An enclave as local mode runs it, for tests: a software NSM under a locally generated Nitro-like
 * root, signing real attestation documents (COSE_Sign1, ES384) whose public_key is this enclave's
 * RSA key. Only the enclave holds the private key that opens CiphertextForRecipient.
 */
final class TestEnclave {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final LocalNitroAuthority authority;
  private final SortedMap<Integer, byte[]> pcrs;
  private final KeyPair rsa;
  private final Clock clock;

  private TestEnclave(
      LocalNitroAuthority authority, SortedMap<Integer, byte[]> pcrs, KeyPair rsa, Clock clock) {
    this.authority = authority;
    this.pcrs = pcrs;
    this.rsa = rsa;
    this.clock = clock;
  }

  /** A fresh root of trust, as every local deployment generates its own. */
  static LocalNitroAuthority newAuthority() {
    try {
      return LocalNitroAuthority.generate(RANDOM, Instant.now());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static TrustedRoot trust(LocalNitroAuthority authority) {
    return TrustedRoot.local(authority.root());
  }

  /** A production-mode enclave: PCR0, PCR1 and PCR2 random (a build of its own), the rest zero. */
  static TestEnclave release(LocalNitroAuthority authority) {
    SortedMap<Integer, byte[]> pcrs = new TreeMap<>(LocalPcrs.debug());
    for (int index = 0; index <= 2; index++) {
      byte[] value = new byte[LocalPcrs.LENGTH];
      RANDOM.nextBytes(value);
      pcrs.put(index, value);
    }
    return new TestEnclave(authority, pcrs, rsa(2048), Clock.systemUTC());
  }

  /** A debug-mode enclave: every PCR zero, as Nitro reports for --debug-mode. */
  static TestEnclave debug(LocalNitroAuthority authority) {
    return new TestEnclave(authority, LocalPcrs.debug(), rsa(2048), Clock.systemUTC());
  }

  /** The same image and key, with PCR {@code index} replaced: another build. */
  TestEnclave withPcr(int index, byte[] value) {
    SortedMap<Integer, byte[]> changed = new TreeMap<>(pcrs);
    changed.put(index, value.clone());
    return new TestEnclave(authority, changed, rsa, clock);
  }

  /** The same enclave whose NSM clock is {@code clock}: documents signed then. */
  TestEnclave at(Clock other) {
    return new TestEnclave(authority, pcrs, rsa, other);
  }

  String pcrHex(int index) {
    return HexFormat.of().formatHex(pcrs.get(index));
  }

  KeyPair rsa() {
    return rsa;
  }

  /** A signed attestation document carrying this enclave's RSA public key. */
  byte[] document() {
    return document(rsa.getPublic().getEncoded());
  }

  /** A signed attestation document carrying {@code publicKey} (null: none) as public_key. */
  byte[] document(byte[] publicKey) {
    try {
      LocalNsm nsm =
          new LocalNsm(authority, "i-0123456789abcdef0-enc0123456789abcdef", pcrs, RANDOM, clock);
      byte[] nonce = new byte[32];
      RANDOM.nextBytes(nonce);
      return new NsmClient(nsm).attestation(null, nonce, publicKey);
    } catch (Exception e) {
      throw new IllegalStateException("the local NSM refused to attest", e);
    }
  }

  static KeyPair rsa(int bits) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(bits, RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
