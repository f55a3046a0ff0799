package dev.keep.local.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.encoding.Json;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;

/**
 * Checks a job's result the way a client would, with code that shares nothing with the enclave:
 * BIP-340 through {@link Bip340Verifier}, ECDSA through BouncyCastle, Nostr ids by serialising the
 * event with Jackson. Each method returns null when the result is right, else what is wrong.
 */
public final class IndependentChecks {
  private static final X9ECParameters SECP256K1 = CustomNamedCurves.getByName("secp256k1");
  private static final ECDomainParameters DOMAIN =
      new ECDomainParameters(SECP256K1.getCurve(), SECP256K1.getG(), SECP256K1.getN(), SECP256K1.getH());

  private IndependentChecks() {}

  /** A BIP-340 signature over the message bytes themselves, by the key's x-only public key. */
  public static String bip340Message(byte[] message, JsonNode result, String xOnly) {
    if (!"bip340".equals(result.path("type").asText())) {
      return "result type is " + result.path("type").asText() + ", not bip340";
    }
    if (!xOnly.equals(result.path("publicKey").asText())) {
      return "signed by " + result.path("publicKey").asText() + ", not the key's " + xOnly;
    }
    byte[] signature = Hex.decode("signature", result.path("signature").asText());
    return Bip340Verifier.verify(Hex.decode("xOnly", xOnly), message, signature)
        ? null : "BIP-340 signature does not verify";
  }

  /** ECDSA over Bitcoin's signed-message hash, low S, by the key's compressed public key. */
  public static String ecdsaMessage(byte[] message, JsonNode result, String compressed) {
    if (!"ecdsa".equals(result.path("type").asText())) {
      return "result type is " + result.path("type").asText() + ", not ecdsa";
    }
    if (!compressed.equals(result.path("publicKey").asText())) {
      return "signed by " + result.path("publicKey").asText() + ", not the key's " + compressed;
    }
    byte[] digest = signedMessageHash(message);
    if (!Hex.encode(digest).equals(result.path("digest").asText())) {
      return "digest is not Bitcoin's signed-message hash of the message";
    }
    byte[] sig = Hex.decode("signature", result.path("signature").asText());
    BigInteger r = new BigInteger(1, Arrays.copyOfRange(sig, 0, 32));
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
    if (s.compareTo(SECP256K1.getN().shiftRight(1)) > 0) {
      return "ECDSA signature is not low-S";
    }
    ECDSASigner verifier = new ECDSASigner();
    verifier.init(false, new ECPublicKeyParameters(SECP256K1.getCurve().decodePoint(Hex.decode("pk", compressed)), DOMAIN));
    return verifier.verifySignature(digest, r, s) ? null : "ECDSA signature does not verify";
  }

  /**
   * The signed event carries the submitted fields unchanged, its id is SHA-256 of the NIP-01
   * serialisation {@code [0,pubkey,created_at,kind,tags,content]}, and its sig is BIP-340 over the id.
   */
  public static String nostrEvent(JsonNode submitted, JsonNode signed, String xOnly) {
    for (String field : new String[] {"pubkey", "created_at", "kind", "tags", "content"}) {
      // Compared as JSON text: Jackson reads 1700000000 back as an int node, written as a long one.
      if (!Json.write(submitted.path(field)).equals(Json.write(signed.path(field)))) {
        return "signed event's " + field + " differs from the submitted one";
      }
    }
    if (!xOnly.equals(signed.path("pubkey").asText())) {
      return "event pubkey is not the key's";
    }
    ArrayNode canonical = Json.MAPPER.createArrayNode().add(0).add(signed.get("pubkey")).add(signed.get("created_at"))
        .add(signed.get("kind")).add(signed.get("tags")).add(signed.get("content"));
    byte[] id = sha256(Json.write(canonical).getBytes(StandardCharsets.UTF_8));
    if (!Hex.encode(id).equals(signed.path("id").asText())) {
      return "event id is not SHA-256 of its NIP-01 serialisation";
    }
    byte[] sig = Hex.decode("sig", signed.path("sig").asText());
    return Bip340Verifier.verify(Hex.decode("xOnly", xOnly), id, sig) ? null : "event sig does not verify";
  }

  /** SHA256d(varstr("Bitcoin Signed Message:\n") || varstr(message)), for messages under 253 bytes. */
  static byte[] signedMessageHash(byte[] message) {
    if (message.length >= 0xFD) {
      throw new IllegalArgumentException("the demo's messages are short; this check handles under 253 bytes");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] magic = "Bitcoin Signed Message:\n".getBytes(StandardCharsets.US_ASCII);
    out.write(magic.length);
    out.writeBytes(magic);
    out.write(message.length);
    out.writeBytes(message);
    return sha256(sha256(out.toByteArray()));
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
