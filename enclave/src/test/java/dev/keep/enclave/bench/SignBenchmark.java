package dev.keep.enclave.bench;

import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.SecretKey;
import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.enclave.signing.Digest32;
import dev.keep.enclave.signing.EcdsaSignature;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.enclave.signing.Message;
import dev.keep.enclave.signing.SchnorrSignature;
import fr.acinq.secp256k1.Secp256k1;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.BIP340Signer;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Signing and verification, libsecp256k1 beside BouncyCastle in the same run. {@code raw} calls
 * the JNI binding directly; {@code keep} is what the enclave runs, including its verification of
 * every signature before returning it (and, for ECDSA, recovery of the key to find the id).
 *
 * <pre>./mvnw -pl enclave -am -Pbench clean verify -DskipTests -Djmh.args="-f 1 -wi 3 -i 5 SignBenchmark"</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SignBenchmark {
  private static final Secp256k1 SECP = Secp256k1.get();
  private final LibSecp256k1Engine engine = new LibSecp256k1Engine();
  private final SecureRandom random = new SecureRandom();

  private byte[] sk;
  private SecretKey key;
  private byte[] digestBytes;
  private Digest32 digest;
  private Message message32;
  private Message message100;
  private byte[] message100Bytes;
  private final byte[] aux = new byte[32];
  private byte[] pub65;
  private PublicKey publicKey;
  private XOnlyPublicKey xOnly;
  private SchnorrSignature schnorr;
  private EcdsaSignature ecdsa;
  private BigInteger[] bcEcdsa;
  private ECPrivateKeyParameters bcPrivate;
  private ECPublicKeyParameters bcPublic;

  @Setup
  public void setup() {
    sk = new byte[32];
    do {
      random.nextBytes(sk);
    } while (!engine.isValidSecret(sk));
    key = SecretKey.adopt(sk.clone());
    digestBytes = new byte[32];
    random.nextBytes(digestBytes);
    digest = Digest32.claimed(digestBytes);
    message32 = Message.of(digest);
    message100Bytes = new byte[100];
    random.nextBytes(message100Bytes);
    message100 = Message.of(message100Bytes);
    random.nextBytes(aux);
    pub65 = SECP.pubkeyCreate(sk);
    publicKey = engine.publicKey(key);
    xOnly = publicKey.xOnly();
    schnorr = engine.signSchnorr(message32, key, aux);
    ecdsa = engine.signEcdsa(digest, key);
    bcPrivate = new ECPrivateKeyParameters(new BigInteger(1, sk), BIP340Signer.getDomain());
    bcPublic = new ECPublicKeyParameters(BIP340Signer.getDomain().getCurve().decodePoint(publicKey.toBytes()),
        BIP340Signer.getDomain());
    ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
    signer.init(true, bcPrivate);
    bcEcdsa = signer.generateSignature(digestBytes);
  }

  @Benchmark
  public byte[] bip340Sign_raw_libsecp256k1() {
    return SECP.signSchnorr(digestBytes, sk, aux);
  }

  @Benchmark
  public SchnorrSignature bip340Sign_keep_32B() {
    return engine.signSchnorr(message32, key, publicKey, aux);
  }

  @Benchmark
  public SchnorrSignature bip340Sign_keep_100B() {
    return engine.signSchnorr(message100, key, publicKey, aux);
  }

  @Benchmark
  public byte[] bip340Sign_bouncycastle_32B() {
    BIP340Signer signer = new BIP340Signer();
    signer.init(true, bcPrivate);
    signer.update(digestBytes, 0, 32);
    return signer.generateSignature();
  }

  @Benchmark
  public byte[] bip340Sign_bouncycastle_100B() {
    BIP340Signer signer = new BIP340Signer();
    signer.init(true, bcPrivate);
    signer.update(message100Bytes, 0, 100);
    return signer.generateSignature();
  }

  @Benchmark
  public boolean bip340Verify_libsecp256k1() {
    return engine.verifySchnorr(schnorr, message32, xOnly);
  }

  @Benchmark
  public boolean bip340Verify_bouncycastle() {
    BIP340Signer verifier = new BIP340Signer();
    verifier.init(false, BIP340Signer.decodePublicKey(xOnly.toBytes()));
    verifier.update(digestBytes, 0, 32);
    return verifier.verifySignature(schnorr.toBytes());
  }

  @Benchmark
  public byte[] ecdsaSign_raw_libsecp256k1() {
    return SECP.sign(digestBytes, sk, null);
  }

  @Benchmark
  public EcdsaSignature ecdsaSign_keep() {
    return engine.signEcdsa(digest, key, publicKey);
  }

  @Benchmark
  public BigInteger[] ecdsaSign_bouncycastle() {
    ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
    signer.init(true, bcPrivate);
    return signer.generateSignature(digestBytes);
  }

  @Benchmark
  public boolean ecdsaVerify_libsecp256k1() {
    return SECP.verify(ecdsa.compact(), digestBytes, pub65);
  }

  @Benchmark
  public boolean ecdsaVerify_bouncycastle() {
    ECDSASigner verifier = new ECDSASigner();
    verifier.init(false, bcPublic);
    return verifier.verifySignature(digestBytes, bcEcdsa[0], bcEcdsa[1]);
  }
}
