package dev.keep.enclave.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keep.enclave.keys.SecretKey;
import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.schema.encoding.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * BIP-340 test vectors (bitcoin/bips bip-0340/test-vectors.csv) through libsecp256k1. The JNI
 * binding signs and verifies 32-byte messages only, so the four vectors with other lengths (15-18)
 * are run through the independent verifier in localstack/local instead; arbitrary-length signing
 * is issue 3's.
 */
class Bip340SignerTest {
  record Vector(int index, String secretKey, String publicKey, String aux, String message,
      String signature, boolean valid, String comment) {}

  static List<Vector> vectors() throws IOException {
    try (InputStream in = Bip340SignerTest.class.getResourceAsStream("/vectors/bip340-test-vectors.csv")) {
      List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().skip(1).toList();
      List<Vector> out = new ArrayList<>();
      for (String line : lines) {
        String[] f = line.split(",", -1);
        out.add(new Vector(Integer.parseInt(f[0]), f[1], f[2], f[3], f[4], f[5], f[6].equals("TRUE"), f[7]));
      }
      return out;
    }
  }

  @Test
  void allNineteenVectorsAreRead() throws IOException {
    assertEquals(19, vectors().size());
  }

  @Test
  void signingVectorsProduceTheExpectedSignatures() throws IOException {
    Bip340Signer signer = new Bip340Signer(new SecureRandom());
    List<String> failures = new ArrayList<>();
    int run = 0;
    for (Vector v : vectors()) {
      if (v.secretKey().isEmpty() || v.message().length() != 64) {
        continue;
      }
      run++;
      SecretKey key = SecretKey.adopt(Hex.decode("sk", v.secretKey()));
      if (!signer.publicKey(key).toHex().equalsIgnoreCase(v.publicKey())) {
        failures.add(v.index() + ": public key " + signer.publicKey(key));
      }
      SchnorrSignature sig = signer.sign(Digest32.wrap(Hex.decode("m", v.message())), key, Hex.decode("aux", v.aux()));
      if (!sig.toHex().equalsIgnoreCase(v.signature())) {
        failures.add(v.index() + ": signature " + sig);
      }
      key.wipe();
    }
    assertEquals(4, run, "vectors 0-3 sign 32-byte messages");
    assertEquals(List.of(), failures);
  }

  @Test
  void verificationVectorsAgree() throws IOException {
    List<String> failures = new ArrayList<>();
    int run = 0;
    for (Vector v : vectors()) {
      if (v.message().length() != 64) {
        continue;
      }
      run++;
      boolean ok = Bip340Signer.verify(SchnorrSignature.of(Hex.decode("sig", v.signature())),
          Digest32.wrap(Hex.decode("m", v.message())), XOnlyPublicKey.of(Hex.decode("pk", v.publicKey())));
      if (ok != v.valid()) {
        failures.add(v.index() + " (" + v.comment() + "): verify said " + ok);
      }
    }
    assertEquals(15, run);
    assertEquals(List.of(), failures);
  }

  @Test
  void freshAuxRandomnessGivesDifferentValidSignatures() {
    Bip340Signer signer = new Bip340Signer(new SecureRandom());
    SecretKey key = signer.generate();
    Digest32 digest = TaggedHash.message("hello".getBytes(StandardCharsets.UTF_8));
    SchnorrSignature a = signer.sign(digest, key);
    SchnorrSignature b = signer.sign(digest, key);
    assertNotEquals(a, b);
    assertTrue(Bip340Signer.verify(a, digest, signer.publicKey(key)));
    assertTrue(Bip340Signer.verify(b, digest, signer.publicKey(key)));
  }

  /** TaggedHash("KEEP/message", "") computed by hand: SHA256(SHA256(tag)||SHA256(tag)). */
  @Test
  void messageDigestIsTheTaggedHash() throws Exception {
    var sha = java.security.MessageDigest.getInstance("SHA-256");
    byte[] tag = sha.digest("KEEP/message".getBytes(StandardCharsets.UTF_8));
    sha.update(tag);
    sha.update(tag);
    sha.update(new byte[] {1, 2, 3});
    assertEquals(Hex.encode(sha.digest()), TaggedHash.message(new byte[] {1, 2, 3}).toHex());
  }

  @Test
  void secretKeyNeverPrints() {
    SecretKey key = new Bip340Signer(new SecureRandom()).generate();
    assertEquals("<redacted>", key.toString());
    key.wipe();
    assertTrue(key.isWiped());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, key::expose);
  }
}
