package dev.keep.enclave.signing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.keys.PublicKey;
import dev.keep.enclave.keys.SecretKey;
import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.schema.encoding.Hex;
import fr.acinq.secp256k1.Secp256k1;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bitcoinj.crypto.ECKey;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.BIP340Signer;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.junit.jupiter.api.Test;

/**
 * The engine against published vectors (BIP-340's 19, RFC 6979 known answers on secp256k1) and
 * against independent implementations (BouncyCastle's BIP-340 and RFC 6979 ECDSA, bitcoinj's
 * signed-message verifier), with fixed seeds printed on failure.
 */
class LibSecp256k1EngineTest {
  private static final SigningEngine ENGINE = new LibSecp256k1Engine();
  private static final long SEED = 20261124L;

  record Bip340Vector(int index, String secretKey, String publicKey, String aux, String message,
      String signature, boolean valid, String comment) {}

  static List<Bip340Vector> bip340Vectors() throws IOException {
    List<Bip340Vector> out = new ArrayList<>();
    for (List<String> f : csv("/vectors/bip340-test-vectors.csv")) {
      out.add(new Bip340Vector(Integer.parseInt(f.get(0)), f.get(1), f.get(2), f.get(3), f.get(4),
          f.get(5), f.get(6).equals("TRUE"), f.get(7)));
    }
    return out;
  }

  @Test
  void bip340_allNineteenVectors_signAndVerifyAsPublished() throws IOException {
    List<Bip340Vector> vectors = bip340Vectors();
    assertEquals(19, vectors.size());
    List<String> failures = new ArrayList<>();
    int signed = 0;
    for (Bip340Vector v : vectors) {
      Message message = Message.of(Hex.decode("message", v.message()));
      if (!v.secretKey().isEmpty()) {
        signed++;
        SecretKey key = SecretKey.adopt(Hex.decode("sk", v.secretKey()));
        XOnlyPublicKey xonly = ENGINE.publicKey(key).xOnly();
        if (!xonly.toHex().equalsIgnoreCase(v.publicKey())) {
          failures.add(v.index() + ": public key " + xonly);
        }
        SchnorrSignature sig = ENGINE.signSchnorr(message, key, Hex.decode("aux", v.aux()));
        if (!sig.toHex().equalsIgnoreCase(v.signature())) {
          failures.add(v.index() + ": signature " + sig.toHex());
        }
      }
      boolean verified;
      try {
        verified = ENGINE.verifySchnorr(SchnorrSignature.of(Hex.decode("sig", v.signature())), message,
            XOnlyPublicKey.of(Hex.decode("pk", v.publicKey())));
      } catch (IllegalArgumentException malformed) {
        verified = false;
      }
      if (verified != v.valid()) {
        failures.add(v.index() + ": verify gave " + verified + " (" + v.comment() + ")");
      }
    }
    assertEquals(List.of(), failures);
    assertEquals(8, signed, "vectors 0-3 and 15-18 carry a secret key");
  }

  @Test
  void bip340_composedSigning_isByteIdenticalToLibsecp256k1_on32ByteMessages() {
    Random random = new Random(SEED);
    Secp256k1 secp = Secp256k1.get();
    for (int i = 0; i < 200; i++) {
      byte[] sk = randomScalar(random);
      byte[] m = bytes(random, 32);
      byte[] aux = bytes(random, 32);
      byte[] expected = secp.signSchnorr(m, sk, aux);
      byte[] composed = LibSecp256k1Engine.composedSign(m, SecretKey.adopt(sk.clone()), aux);
      assertArrayEquals(expected, composed, "seed " + SEED + " case " + i);
      byte[] pk = ENGINE.publicKey(SecretKey.adopt(sk)).xOnly().toBytes();
      assertTrue(LibSecp256k1Engine.composedVerify(composed, m, pk), "seed " + SEED + " case " + i);
      composed[40] ^= 1;
      assertFalse(LibSecp256k1Engine.composedVerify(composed, m, pk), "seed " + SEED + " case " + i);
    }
  }

  @Test
  void bip340_anyLengthSignatures_verifyUnderBouncyCastle_andTheReverse() {
    Random random = new Random(SEED);
    for (int length : new int[] {0, 1, 17, 31, 33, 64, 100, 1000, Message.MAX_LENGTH}) {
      byte[] sk = randomScalar(random);
      byte[] m = bytes(random, length);
      SecretKey key = SecretKey.adopt(sk.clone());
      XOnlyPublicKey pk = ENGINE.publicKey(key).xOnly();
      SchnorrSignature ours = ENGINE.signSchnorr(Message.of(m), key, bytes(random, 32));

      BIP340Signer bcVerifier = new BIP340Signer();
      bcVerifier.init(false, BIP340Signer.decodePublicKey(pk.toBytes()));
      bcVerifier.update(m, 0, m.length);
      assertTrue(bcVerifier.verifySignature(ours.toBytes()), "BouncyCastle rejects ours, length " + length);

      BIP340Signer bcSigner = new BIP340Signer();
      bcSigner.init(true, new ECPrivateKeyParameters(new BigInteger(1, sk), BIP340Signer.getDomain()));
      bcSigner.update(m, 0, m.length);
      SchnorrSignature theirs = SchnorrSignature.of(bcSigner.generateSignature());
      assertTrue(ENGINE.verifySchnorr(theirs, Message.of(m), pk), "we reject BouncyCastle's, length " + length);
      m = m.length == 0 ? new byte[] {1} : flip(m);
      assertFalse(ENGINE.verifySchnorr(ours, Message.of(m), pk), "altered message accepted, length " + length);
    }
  }

  @Test
  void ecdsa_rfc6979KnownAnswers_matchAfterLowSNormalisation() throws Exception {
    List<String> failures = new ArrayList<>();
    List<List<String>> rows = csv("/vectors/ecdsa-rfc6979-secp256k1.csv");
    assertEquals(11, rows.size());
    for (List<String> row : rows) {
      SecretKey key = SecretKey.adopt(Hex.decode("sk", row.get(0)));
      Digest32 digest = Digest32.claimed(sha256(row.get(1).getBytes(StandardCharsets.UTF_8)));
      byte[] published = Hex.decode("sig", row.get(2));
      BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(published, 32, 64));
      BigInteger lowS = s.compareTo(LibSecp256k1Engine.N.shiftRight(1)) > 0 ? LibSecp256k1Engine.N.subtract(s) : s;
      String expected = row.get(2).substring(0, 64) + String.format("%064x", lowS);
      EcdsaSignature sig = ENGINE.signEcdsa(digest, key);
      if (!sig.compactHex().equals(expected)) {
        failures.add(row.get(1) + ": " + sig.compactHex());
      }
      if (!ENGINE.verifyEcdsa(sig, digest, ENGINE.publicKey(key))) {
        failures.add(row.get(1) + ": does not verify");
      }
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void ecdsa_matchesBouncyCastleRfc6979_isLowS_derMatches_andRecoveryIdRecoversTheKey() throws Exception {
    Random random = new Random(SEED);
    Secp256k1 secp = Secp256k1.get();
    BigInteger halfN = LibSecp256k1Engine.N.shiftRight(1);
    for (int i = 0; i < 100; i++) {
      byte[] sk = randomScalar(random);
      byte[] digest = bytes(random, 32);
      SecretKey key = SecretKey.adopt(sk.clone());
      EcdsaSignature sig = ENGINE.signEcdsa(Digest32.claimed(digest), key);

      ECDSASigner bc = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
      bc.init(true, new ECPrivateKeyParameters(new BigInteger(1, sk), BIP340Signer.getDomain()));
      BigInteger[] rs = bc.generateSignature(digest);
      BigInteger s = rs[1].compareTo(halfN) > 0 ? LibSecp256k1Engine.N.subtract(rs[1]) : rs[1];
      String context = "seed " + SEED + " case " + i;
      assertEquals(String.format("%064x%064x", rs[0], s), sig.compactHex(), context);
      assertTrue(new BigInteger(1, java.util.Arrays.copyOfRange(sig.compact(), 32, 64)).compareTo(halfN) <= 0, context);

      org.bouncycastle.asn1.ASN1EncodableVector v = new org.bouncycastle.asn1.ASN1EncodableVector();
      v.add(new org.bouncycastle.asn1.ASN1Integer(rs[0]));
      v.add(new org.bouncycastle.asn1.ASN1Integer(s));
      assertArrayEquals(new org.bouncycastle.asn1.DERSequence(v).getEncoded(), sig.der(), context);

      byte[] recovered = secp.pubKeyCompress(secp.ecdsaRecover(sig.compact(), digest, sig.recoveryId()));
      assertArrayEquals(ENGINE.publicKey(key).toBytes(), recovered, context);
    }
  }

  @Test
  void ecdsa_highS_isRefusedByVerification() {
    SecretKey key = SecretKey.adopt(randomScalar(new Random(SEED)));
    Digest32 digest = Digest32.claimed(new byte[32]);
    EcdsaSignature sig = ENGINE.signEcdsa(digest, key);
    byte[] compact = sig.compact();
    BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(compact, 32, 64));
    byte[] highS = Hex.decode("s", String.format("%064x", LibSecp256k1Engine.N.subtract(s)));
    System.arraycopy(highS, 0, compact, 32, 32);
    EcdsaSignature malleated = EcdsaSignature.of(compact, sig.der(), sig.recoveryId());
    assertFalse(ENGINE.verifyEcdsa(malleated, digest, ENGINE.publicKey(key)));
  }

  @Test
  void bitcoinSignedMessage_verifiesUnderBitcoinj() throws Exception {
    Random random = new Random(SEED);
    for (String text : new String[] {"", "hello", "x".repeat(300), "Keep \u00e9\u00e8 \uD83D\uDD11"}) {
      SecretKey key = SecretKey.adopt(randomScalar(random));
      EcdsaSignature sig = ENGINE.signEcdsa(
          BitcoinSignedMessage.digest(Message.of(text.getBytes(StandardCharsets.UTF_8))), key);
      byte[] compact65 = new byte[65];
      compact65[0] = (byte) (27 + 4 + sig.recoveryId()); // BIP-137 header: compressed P2PKH
      System.arraycopy(sig.compact(), 0, compact65, 1, 64);
      ECKey recovered = ECKey.signedMessageToKey(text, java.util.Base64.getEncoder().encodeToString(compact65));
      assertArrayEquals(ENGINE.publicKey(key).toBytes(), recovered.getPubKey(), "message '" + text + "'");
    }
  }

  @Test
  void signingAgainstTheWrongKnownPublicKey_failsInsteadOfReturningASignature() {
    Random random = new Random(SEED);
    SecretKey key = SecretKey.adopt(randomScalar(random));
    PublicKey other = ENGINE.publicKey(SecretKey.adopt(randomScalar(random)));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> ENGINE.signSchnorr(Message.of(new byte[40]), key, other, new byte[32]));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> ENGINE.signEcdsa(Digest32.claimed(new byte[32]), key, other));
  }

  @Test
  void parsePublicKey_refusesAPointOffTheCurve() {
    PublicKey good = ENGINE.publicKey(SecretKey.adopt(randomScalar(new Random(SEED))));
    assertEquals(good, ENGINE.parsePublicKey(good.toBytes()));
    byte[] bad = new byte[33];
    bad[0] = 0x02;
    bad[32] = 5; // x = 5: 125 + 7 = 132 is not a square mod p
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> ENGINE.parsePublicKey(bad));
  }

  private static byte[] randomScalar(Random random) {
    while (true) {
      byte[] candidate = bytes(random, 32);
      if (ENGINE.isValidSecret(candidate)) {
        return candidate;
      }
    }
  }

  private static byte[] bytes(Random random, int n) {
    byte[] out = new byte[n];
    random.nextBytes(out);
    return out;
  }

  private static byte[] flip(byte[] m) {
    byte[] out = m.clone();
    out[out.length / 2] ^= 0x40;
    return out;
  }

  private static byte[] sha256(byte[] data) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(data);
  }

  /** A CSV reader for the vector files: commas, and double quotes around fields that hold them. */
  static List<List<String>> csv(String resource) throws IOException {
    try (InputStream in = LibSecp256k1EngineTest.class.getResourceAsStream(resource)) {
      List<List<String>> rows = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().skip(1).toList()) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (char c : line.toCharArray()) {
          if (c == '"') {
            quoted = !quoted;
          } else if (c == ',' && !quoted) {
            fields.add(field.toString());
            field.setLength(0);
          } else {
            field.append(c);
          }
        }
        fields.add(field.toString());
        rows.add(fields);
      }
      return rows;
    }
  }
}
