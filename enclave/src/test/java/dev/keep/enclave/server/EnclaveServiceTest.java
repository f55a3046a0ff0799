package dev.keep.enclave.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keep.enclave.keys.KeyStore;
import dev.keep.enclave.keys.XOnlyPublicKey;
import dev.keep.enclave.seal.HostShelf;
import dev.keep.enclave.seal.KmsSealedVault;
import dev.keep.enclave.seal.RecipientKey;
import dev.keep.enclave.signing.Digest32;
import dev.keep.enclave.signing.LibSecp256k1Engine;
import dev.keep.enclave.signing.Message;
import dev.keep.enclave.signing.SchnorrSignature;
import dev.keep.enclave.signing.Signer;
import dev.keep.schema.encoding.Hex;
import dev.keep.schema.encoding.Json;
import dev.keep.schema.protocol.EnclaveRequest;
import dev.keep.schema.protocol.EnclaveRequest.KeySpec;
import dev.keep.schema.protocol.EnclaveResponse;
import dev.keep.schema.protocol.ErrorCode;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The enclave's answers to every request type, through the service the frame server calls. */
class EnclaveServiceTest {
  private static final LibSecp256k1Engine ENGINE = new LibSecp256k1Engine();
  private static final KeySpec SINGLE = new KeySpec("single", "testnet", false);
  private static final KeySpec DIGESTS = new KeySpec("single", "testnet", true);
  private static final KeySpec HD = new KeySpec("hd", "testnet", false);
  private static final String SK3 = "0000000000000000000000000000000000000000000000000000000000000003";

  private final EnclaveService local = service(EnclaveMode.LOCAL, KeyStore.inMemory());

  private static EnclaveService service(EnclaveMode mode, KeyStore keys) {
    return new EnclaveService(keys, new Signer(ENGINE, new SecureRandom()), mode);
  }

  private EnclaveResponse.KeyInfo generate(EnclaveService service, String name, KeySpec spec) {
    return assertInstanceOf(EnclaveResponse.KeyInfo.class, service.handle(new EnclaveRequest.GenerateKey(name, spec, TestPolicies.ALLOW_ALL)));
  }

  private static ErrorCode error(EnclaveResponse response) {
    return assertInstanceOf(EnclaveResponse.Error.class, response).code();
  }

  @Test
  void generatedKey_showsEveryPublicForm_andANameIsTakenOnce() {
    EnclaveResponse.KeyInfo key = generate(local, "k", SINGLE);
    assertEquals(key.publicKey().substring(2), key.xOnly());
    assertTrue(key.npub().startsWith("npub1"));
    assertNull(key.xpub());
    assertEquals(ErrorCode.KEY_EXISTS, error(local.handle(new EnclaveRequest.GenerateKey("k", SINGLE))));
    assertEquals(key, local.handle(new EnclaveRequest.GetPublicKey("k", null)));
  }

  @Test
  void bip340Message_ofAnyLengthButThirtyTwo_isSignedOverTheBytesThemselves() {
    EnclaveResponse.KeyInfo key = generate(local, "k", SINGLE);
    for (int length : new int[] {0, 1, 31, 33, 1000}) {
      String hex = "ab".repeat(length);
      var signed = assertInstanceOf(EnclaveResponse.SchnorrSigned.class,
          local.handle(new EnclaveRequest.SignMessage("job-" + length, "k", hex, "bip340", null)));
      assertEquals(key.xOnly(), signed.publicKey());
      assertTrue(ENGINE.verifySchnorr(SchnorrSignature.of(Hex.decode("s", signed.signature())),
          Message.of(Hex.decode("m", hex)), XOnlyPublicKey.of(Hex.decode("pk", key.xOnly()))));
    }
  }

  @Test
  void thirtyTwoByteMessagesAndDigests_needAKeyThatAllowsDigests() {
    generate(local, "plain", SINGLE);
    generate(local, "raw", DIGESTS);
    String digest = "cd".repeat(32);
    EnclaveResponse refusedMessage = local.handle(new EnclaveRequest.SignMessage("j1", "plain", digest, "bip340", null));
    assertEquals(ErrorCode.POLICY_DENIED, error(refusedMessage));
    assertTrue(((EnclaveResponse.Error) refusedMessage).message().startsWith("message: a 32-byte BIP-340 message"));
    assertEquals(ErrorCode.POLICY_DENIED, error(local.handle(new EnclaveRequest.SignDigest("j2", "plain", digest, "bip340", null))));
    assertEquals(ErrorCode.POLICY_DENIED, error(local.handle(new EnclaveRequest.SignDigest("j3", "plain", digest, "ecdsa", null))));
    assertInstanceOf(EnclaveResponse.SchnorrSigned.class, local.handle(new EnclaveRequest.SignDigest("j4", "raw", digest, "bip340", null)));
    assertInstanceOf(EnclaveResponse.SchnorrSigned.class, local.handle(new EnclaveRequest.SignMessage("j5", "raw", digest, "bip340", null)));
    var ecdsa = assertInstanceOf(EnclaveResponse.EcdsaSigned.class,
        local.handle(new EnclaveRequest.SignDigest("j6", "raw", digest, "ecdsa", null)));
    assertEquals(digest, ecdsa.digest());
  }

  @Test
  void ecdsaMessage_signsBitcoinsSignedMessageHash_neverTheRawBytes() {
    generate(local, "k", SINGLE);
    String message = "cd".repeat(32); // 32 bytes: allowed for ECDSA, which hashes with a prefix
    var signed = assertInstanceOf(EnclaveResponse.EcdsaSigned.class,
        local.handle(new EnclaveRequest.SignMessage("j", "k", message, "ecdsa", null)));
    assertNotEquals(message, signed.digest());
    assertEquals(dev.keep.enclave.signing.BitcoinSignedMessage.digest(Message.of(Hex.decode("m", message))).toHex(),
        signed.digest());
  }

  @Test
  void nostrEvent_isSignedWithItsNip01Id_andAnotherKeysPubkeyIsRefused() throws Exception {
    EnclaveResponse.KeyInfo key = generate(local, "k", SINGLE);
    ObjectNode event = event(key.xOnly());
    var signed = assertInstanceOf(EnclaveResponse.EventSigned.class,
        local.handle(new EnclaveRequest.SignEvent("j", "k", event, null)));
    JsonNode out = signed.event();
    String canonical = "[0,\"" + key.xOnly() + "\",1700000000,1,[[\"t\",\"keep\"]],\"hello\\nworld\"]";
    byte[] id = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(Hex.encode(id), out.get("id").asText());
    assertTrue(ENGINE.verifySchnorr(SchnorrSignature.of(Hex.decode("sig", out.get("sig").asText())),
        Message.of(Digest32.claimed(id)), XOnlyPublicKey.of(Hex.decode("pk", key.xOnly()))));

    EnclaveResponse refused = local.handle(new EnclaveRequest.SignEvent("j2", "k", event("11".repeat(32)), null));
    assertEquals(ErrorCode.INVALID_REQUEST, error(refused));
    assertTrue(((EnclaveResponse.Error) refused).message().startsWith("event.pubkey:"));
  }

  @Test
  void aRepeatedJobGetsItsFirstSignature_andAReusedJobIdWithOtherContentIsRefused() {
    generate(local, "k", SINGLE);
    EnclaveResponse first = local.handle(new EnclaveRequest.SignMessage("job", "k", "0102", "bip340", null));
    assertEquals(first, local.handle(new EnclaveRequest.SignMessage("job", "k", "0102", "bip340", null)));
    assertEquals(ErrorCode.INVALID_REQUEST, error(local.handle(new EnclaveRequest.SignMessage("job", "k", "0103", "bip340", null))));
  }

  @Test
  void aDisabledKeySignsNothing_butStillShowsItsPublicKey() {
    generate(local, "k", SINGLE);
    var disabled = assertInstanceOf(EnclaveResponse.KeyInfo.class, local.handle(new EnclaveRequest.DisableKey("k")));
    assertTrue(disabled.disabled());
    assertEquals(ErrorCode.KEY_DISABLED, error(local.handle(new EnclaveRequest.SignMessage("j", "k", "00", "bip340", null))));
    assertInstanceOf(EnclaveResponse.KeyInfo.class, local.handle(new EnclaveRequest.GetPublicKey("k", null)));
  }

  @Test
  void plaintextImport_worksLocally_inHexOrNsec_andANitroEnclaveRefusesIt() {
    var hex = assertInstanceOf(EnclaveResponse.KeyInfo.class,
        local.handle(new EnclaveRequest.ImportKey("three", SINGLE, SK3, TestPolicies.ALLOW_ALL)));
    // BIP-340 vector 0: secret key 3 has x-only public key F9308A01...
    assertEquals("f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9", hex.xOnly());
    // NIP-19's example: nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5 is 67dea2ed...
    var nsec = assertInstanceOf(EnclaveResponse.KeyInfo.class, local.handle(new EnclaveRequest.ImportKey("nostr", SINGLE,
        "nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5")));
    // The same key in hex, in another enclave: one enclave holds one secret once.
    var expected = assertInstanceOf(EnclaveResponse.KeyInfo.class, service(EnclaveMode.LOCAL, KeyStore.inMemory())
        .handle(new EnclaveRequest.ImportKey("nostr-hex", SINGLE, "67dea2ed018072d675f5415ecfaed7d2597555e202d85b3d65ea4e58d2d92ffa")));
    assertEquals(expected.xOnly(), nsec.xOnly());
    assertEquals(ErrorCode.INVALID_REQUEST, error(local.handle(new EnclaveRequest.ImportKey("zero", SINGLE, "00".repeat(32)))));

    EnclaveService nitro = service(EnclaveMode.NITRO, KeyStore.inMemory());
    EnclaveResponse refused = nitro.handle(new EnclaveRequest.ImportKey("three", SINGLE, SK3, TestPolicies.ALLOW_ALL));
    assertEquals(ErrorCode.INVALID_REQUEST, error(refused));
    assertTrue(((EnclaveResponse.Error) refused).message().contains("refuses plaintext"));
  }

  @Test
  void hdKey_exportsItsXpubAndAccountXpubs_andSignsAsTheChildAtAPath() {
    EnclaveResponse.KeyInfo root = generate(local, "hd", HD);
    assertTrue(root.xpub().startsWith("tpub"), root.xpub());
    var account = assertInstanceOf(EnclaveResponse.KeyInfo.class,
        local.handle(new EnclaveRequest.GetPublicKey("hd", "m/86'/1'/0'")));
    assertEquals("m/86'/1'/0'", account.path());
    assertTrue(account.xpub().startsWith("tpub"));
    assertNotEquals(root.xpub(), account.xpub());
    var child = assertInstanceOf(EnclaveResponse.KeyInfo.class,
        local.handle(new EnclaveRequest.GetPublicKey("hd", "m/86'/1'/0'/0/5")));
    var signed = assertInstanceOf(EnclaveResponse.SchnorrSigned.class,
        local.handle(new EnclaveRequest.SignMessage("j", "hd", "00", "bip340", "m/86'/1'/0'/0/5")));
    assertEquals(child.xOnly(), signed.publicKey());
    assertEquals(ErrorCode.INVALID_REQUEST, error(local.handle(new EnclaveRequest.GetPublicKey("hd", "m/2147483648"))));

    generate(local, "single", SINGLE);
    assertEquals(ErrorCode.INVALID_REQUEST, error(local.handle(new EnclaveRequest.SignMessage("j2", "single", "00", "bip340", "m/0"))));
  }

  /**
   * Keys and the disabled flag come back in a new enclave (another per-boot RSA key) from the
   * sealed blobs the host kept, through KMS's re-encryption to the new key.
   */
  @Test
  void keysSurviveARestart_throughSealedBlobs() throws Exception {
    HostShelf host = new HostShelf();
    RecipientKey firstBoot = RecipientKey.generate(new SecureRandom());
    EnclaveService first = service(EnclaveMode.LOCAL, KeyStore.open(new KmsSealedVault(firstBoot, new SecureRandom())));
    var single = assertInstanceOf(EnclaveResponse.KeyInfo.class,
        host.generate(first, firstBoot, new EnclaveRequest.GenerateKey("single", SINGLE, TestPolicies.ALLOW_ALL)));
    var hd = assertInstanceOf(EnclaveResponse.KeyInfo.class,
        host.generate(first, firstBoot, new EnclaveRequest.GenerateKey("hd", HD, TestPolicies.ALLOW_ALL)));
    host.call(first, new EnclaveRequest.DisableKey("single"));
    assertEquals(2, host.keys.size());

    RecipientKey secondBoot = RecipientKey.generate(new SecureRandom());
    EnclaveService second = service(EnclaveMode.LOCAL, KeyStore.open(new KmsSealedVault(secondBoot, new SecureRandom())));
    host.unsealAll(second, secondBoot);
    var again = assertInstanceOf(EnclaveResponse.KeyInfo.class, second.handle(new EnclaveRequest.GetPublicKey("single", null)));
    assertEquals(single.publicKey(), again.publicKey());
    assertTrue(again.disabled());
    assertEquals(hd.xpub(), assertInstanceOf(EnclaveResponse.KeyInfo.class,
        second.handle(new EnclaveRequest.GetPublicKey("hd", null))).xpub());
    assertEquals(ErrorCode.KEY_EXISTS, error(second.handle(new EnclaveRequest.GenerateKey("hd", HD))));
    assertInstanceOf(EnclaveResponse.SchnorrSigned.class,
        second.handle(new EnclaveRequest.SignMessage("after-restart", "hd", "00", "bip340", null)));
  }

  private static ObjectNode event(String pubkey) {
    ObjectNode event = Json.MAPPER.createObjectNode().put("pubkey", pubkey).put("created_at", 1700000000L).put("kind", 1);
    event.putArray("tags").addArray().add("t").add("keep");
    event.put("content", "hello\nworld");
    return event;
  }

  /**
   * sign_psbt through the service: a repeated job id gets the first answer (a taproot signature
   * has fresh aux randomness, so signing twice would differ), another network is refused, and
   * bytes that are not a PSBT are refused naming where.
   */
  @Test
  void signPsbt_repeatsTheFirstAnswer_refusesAnotherNetwork_andBrokenPsbts() {
    EnclaveResponse.KeyInfo key = generate(local, "wallet", SINGLE);
    dev.keep.enclave.keys.PublicKey pub = dev.keep.enclave.keys.PublicKey.ofCompressed(Hex.decode("pk", key.publicKey()));
    var f = new dev.keep.enclave.psbt.sign.SpendFixtures(1)
        .spend(dev.keep.enclave.psbt.sign.SpendFixtures.p2tr(pub, java.util.Optional.empty()), 50_000);
    String psbt = f.psbt(java.util.List.of(new dev.keep.enclave.bitcoin.tx.TxOut(49_000, f.randomP2wpkh())), true).toBase64();

    EnclaveRequest.SignPsbt request = new EnclaveRequest.SignPsbt("job-psbt-1", "wallet", psbt, "testnet", true);
    EnclaveResponse.PsbtSigned first = assertInstanceOf(EnclaveResponse.PsbtSigned.class, local.handle(request));
    assertTrue(first.complete());
    assertEquals(1_000, first.summary().fee());
    assertEquals(first, local.handle(request));

    EnclaveResponse relabel = local.handle(new EnclaveRequest.SignPsbt("job-psbt-2", "wallet", psbt, "mainnet", false));
    assertEquals(ErrorCode.INVALID_REQUEST, error(relabel));
    assertTrue(((EnclaveResponse.Error) relabel).message().startsWith("network: the request says mainnet"));

    EnclaveResponse broken = local.handle(new EnclaveRequest.SignPsbt("job-psbt-3", "wallet", "cHNidP8BAAA=", "testnet", false));
    assertEquals(ErrorCode.INVALID_REQUEST, error(broken));
    assertTrue(((EnclaveResponse.Error) broken).message().startsWith("psbt: global"), broken.toString());
  }

  /**
   * Issue #14: a secret held as 'imported' could be imported again as 'imported2', with fresh
   * counters and no admins. Every form of the same key is refused, naming the key that holds it.
   */
  @Test
  void theSameSecret_isNotHeldTwice_underAnyNameOrForm() {
    assertInstanceOf(EnclaveResponse.KeyInfo.class,
        local.handle(new EnclaveRequest.ImportKey("imported", SINGLE, SK3, TestPolicies.ALLOW_ALL)));
    for (String again : new String[] {SK3, SK3.toUpperCase(java.util.Locale.ROOT),
        // SK3 as an nsec (NIP-19 bech32 of the same 32 bytes)
        dev.keep.enclave.nostr.Nip19.encodeNsec(dev.keep.enclave.keys.SecretKey.adopt(Hex.decode("k", SK3)))}) {
      var refused = assertInstanceOf(EnclaveResponse.Error.class,
          local.handle(new EnclaveRequest.ImportKey("imported2", SINGLE, again, TestPolicies.ALLOW_ALL)));
      assertEquals(ErrorCode.KEY_EXISTS, refused.code());
      assertTrue(refused.message().startsWith("secret: this key is already held as 'imported' (same public key 02f9308a"),
          refused.message());
    }
    assertEquals(ErrorCode.KEY_NOT_FOUND, error(local.handle(new EnclaveRequest.GetPublicKey("imported2", null))));

    // An HD root: the same xprv, or the same root key with another chain code.
    byte[] seed = new byte[32];
    java.util.Arrays.fill(seed, (byte) 7);
    String tprv;
    try (var root = dev.keep.enclave.keys.hd.ExtendedPrivateKey.fromSeed(seed)) {
      tprv = root.serialize(dev.keep.enclave.keys.Network.TESTNET);
    }
    assertInstanceOf(EnclaveResponse.KeyInfo.class,
        local.handle(new EnclaveRequest.ImportKey("root", HD, tprv, TestPolicies.ALLOW_ALL)));
    var refused = assertInstanceOf(EnclaveResponse.Error.class,
        local.handle(new EnclaveRequest.ImportKey("root2", HD, tprv, TestPolicies.ALLOW_ALL)));
    assertEquals(ErrorCode.KEY_EXISTS, refused.code());
    assertTrue(refused.message().startsWith("secret: this key is already held as 'root' (same master key: fingerprint "),
        refused.message());
    // A disabled key's secret is still held: importing it again would undo the disable.
    local.handle(new EnclaveRequest.DisableKey("imported"));
    assertEquals(ErrorCode.KEY_EXISTS, error(local.handle(new EnclaveRequest.ImportKey("revived", SINGLE, SK3))));
  }
}
