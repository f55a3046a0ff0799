package dev.keep.enclave.bench;

import dev.keep.enclave.bitcoin.tx.TxOut;
import dev.keep.enclave.keys.KeyMaterial;
import dev.keep.enclave.keys.Network;
import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.hd.DerivationPath;
import dev.keep.enclave.keys.hd.ExtendedPrivateKey;
import dev.keep.enclave.psbt.KeyOrigin;
import dev.keep.enclave.psbt.Psbt;
import dev.keep.enclave.psbt.sign.PsbtSigner;
import dev.keep.enclave.psbt.sign.SignOutcome;
import dev.keep.enclave.psbt.sign.SpendFixtures;
import dev.keep.enclave.signing.Digest32;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.enclave.signing.Message;
import dev.keep.enclave.signing.SchnorrSignature;
import dev.keep.enclave.signing.Signer;
import dev.keep.enclave.spend.SpendRules;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Parse, analyse, sign and serialise a PSBT of n inputs, every input the key's own, one external
 * output. Divide the score by n for the time per input. {@code baselineSchnorr} is one BIP-340
 * signature through the same engine in the same run, so a per-input figure can be read as a
 * multiple of one bare signature.
 *
 * <ul>
 *   <li>{@code p2wpkh}: single key, BIP-143, each input with its full previous transaction;
 *   <li>{@code p2tr}: single key, BIP-341 key path, witness_utxo only;
 *   <li>{@code hd-p2tr}: an HD root, each input at its own path m/86'/1'/0'/0/i, so every input
 *       also costs a BIP-32 derivation to prove the script is ours.
 * </ul>
 *
 * <pre>./mvnw -pl enclave -am -Pbench clean verify -DskipTests -Djmh.args="-f 1 -wi 2 -i 3 PsbtBenchmark"</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PsbtBenchmark {
  private static final Signer SIGNER = new Signer(new LibSecp256k1Engine(), new SecureRandom());

  /** A PSBT of {@code inputs} inputs of one template, serialised, and the key that owns them. */
  @State(Scope.Thread)
  public static class Spend {
    @Param({"1", "10", "100", "1000"})
    public int inputs;

    @Param({"p2wpkh", "p2tr", "hd-p2tr"})
    public String template;

    final PsbtSigner psbtSigner = new PsbtSigner(SIGNER);
    KeyMaterial key;
    byte[] psbt;

    @Setup(Level.Trial)
    public void setUp() {
      SpendFixtures f = new SpendFixtures(42);
      if (template.equals("hd-p2tr")) {
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        key = new KeyMaterial.Hd(ExtendedPrivateKey.fromSeed(seed));
      } else {
        key = KeyMaterial.Single.of(SIGNER.generate());
      }
      PublicKey[] keys = new PublicKey[inputs];
      for (int i = 0; i < inputs; i++) {
        keys[i] = template.equals("hd-p2tr") ? key.publicKey(path(i)) : key.publicKey(null);
        f.spend(template.equals("p2wpkh") ? SpendFixtures.p2wpkh(keys[i]) : SpendFixtures.p2tr(keys[i], Optional.empty()), 10_000);
      }
      Psbt built = f.psbt(List.of(new TxOut(inputs * 9_500L, f.randomP2wpkh())), false);
      if (template.equals("hd-p2tr")) {
        for (int i = 0; i < inputs; i++) {
          built.addTapBip32Derivation(i, keys[i].xOnly(), List.of(), new KeyOrigin(key.fingerprint().orElseThrow(), path(i)));
        }
      }
      psbt = built.serialize();
    }

    private static DerivationPath path(int i) {
      return DerivationPath.parse("m/86'/1'/0'/0/" + i);
    }
  }

  /** One key and a 32-byte digest, for the baseline. */
  @State(Scope.Thread)
  public static class Baseline {
    final KeyMaterial key = KeyMaterial.Single.of(SIGNER.generate());
    final Message message = Message.of(Digest32.computed(new byte[32]));
  }

  @Benchmark
  public byte[] parseAnalyseSignSerialise(Spend s) throws Exception {
    SignOutcome outcome = s.psbtSigner.sign(Psbt.parse(s.psbt), s.key, Network.TESTNET, SpendRules.STRICT, false);
    if (outcome.signedCount() != s.inputs) {
      throw new IllegalStateException("signed " + outcome.signedCount() + " of " + s.inputs);
    }
    return outcome.psbt().serialize();
  }

  @Benchmark
  public SchnorrSignature baselineSchnorr(Baseline b) {
    try (KeyMaterial.Lease lease = b.key.lease(null)) {
      return SIGNER.schnorr(b.message, lease.key(), lease.publicKey());
    }
  }
}
